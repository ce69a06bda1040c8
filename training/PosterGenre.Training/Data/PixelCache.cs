using System.Collections.Concurrent;
using PosterGenre.Imaging;

namespace PosterGenre.Training.Data;

/// <summary>
/// Every poster decoded and resized once per run, kept as 8-bit RGB (HWC) exactly as
/// <see cref="PosterPreprocessor.ToRgb(ReadOnlySpan{byte})"/> makes it for the service, so epochs
/// cost no JPEG decoding.
/// </summary>
public sealed class PixelCache
{
    private PixelCache(IReadOnlyList<PosterRecord> posters, byte[][] pixels, PreprocessingSpec spec)
    {
        Posters = posters;
        Pixels = pixels;
        Spec = spec;
    }

    public IReadOnlyList<PosterRecord> Posters { get; }

    /// <summary>One HWC RGB buffer per poster, aligned with <see cref="Posters"/>.</summary>
    public byte[][] Pixels { get; }

    public PreprocessingSpec Spec { get; }

    public int Count => Posters.Count;

    /// <summary>The same pixels normalised with another spec of the same size (e.g. with the training split's statistics).</summary>
    public PixelCache WithSpec(PreprocessingSpec spec) =>
        spec.Width == Spec.Width && spec.Height == Spec.Height && spec.Resize == Spec.Resize
            ? new PixelCache(Posters, Pixels, spec)
            : throw new ArgumentException("Only the normalisation may change; size and resize mode are baked into the cached pixels.");

    /// <summary>
    /// Decodes <paramref name="posters"/> in parallel. Posters whose image cannot be read are left
    /// out and added to <paramref name="skipped"/> with the decoder's reason.
    /// </summary>
    public static PixelCache Build(IReadOnlyList<PosterRecord> posters, PosterPreprocessor preprocessor, List<SkippedRow> skipped, Action<int>? progress = null)
    {
        var pixels = new byte[posters.Count][];
        var failures = new ConcurrentBag<(int Index, string Reason)>();
        var done = 0;
        Parallel.For(0, posters.Count, i =>
        {
            try
            {
                pixels[i] = preprocessor.ToRgb(File.ReadAllBytes(posters[i].ImagePath));
            }
            catch (Exception e) when (e is PosterImageException or IOException)
            {
                failures.Add((i, $"image could not be read: {e.Message}"));
            }

            var count = Interlocked.Increment(ref done);
            if (count % 500 == 0)
            {
                progress?.Invoke(count);
            }
        });

        var failed = failures.OrderBy(f => f.Index).ToArray();
        skipped.AddRange(failed.Select(f => new SkippedRow(0, posters[f.Index].Id, f.Reason)));
        var bad = failed.Select(f => f.Index).ToHashSet();
        var keep = Enumerable.Range(0, posters.Count).Where(i => !bad.Contains(i)).ToArray();
        return new PixelCache([.. keep.Select(i => posters[i])], [.. keep.Select(i => pixels[i])], preprocessor.Spec);
    }

    /// <summary>Per-channel mean and standard deviation (0..1 scale) over the given posters.</summary>
    public (float[] Mean, float[] Std) ChannelStatistics(IEnumerable<int> indices)
    {
        var sum = new double[3];
        var sumSquares = new double[3];
        long count = 0;
        foreach (var i in indices)
        {
            var p = Pixels[i];
            for (var j = 0; j < p.Length; j += 3)
            {
                for (var c = 0; c < 3; c++)
                {
                    var v = p[j + c] / 255.0;
                    sum[c] += v;
                    sumSquares[c] += v * v;
                }
            }

            count += p.Length / 3;
        }

        var mean = sum.Select(s => (float)(s / count)).ToArray();
        var std = sumSquares.Select((s, c) => (float)Math.Sqrt(Math.Max(1e-8, (s / count) - (mean[c] * (double)mean[c])))).ToArray();
        return (mean, std);
    }
}
