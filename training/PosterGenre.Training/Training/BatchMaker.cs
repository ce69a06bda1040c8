using PosterGenre.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Training;

/// <summary>Turns cached 8-bit posters into normalised (and, for training, augmented) float batches.</summary>
public sealed class BatchMaker
{
    private const int MaxShift = 8;

    private readonly PixelCache cache;
    private readonly Tensor scale;
    private readonly Tensor offset;
    private readonly Generator generator;

    public BatchMaker(PixelCache cache, int seed)
    {
        this.cache = cache;
        var spec = cache.Spec;
        scale = tensor(spec.Std.Select(s => 1f / (255f * s)).ToArray()).view(1, 3, 1, 1);
        offset = tensor(spec.Mean.Zip(spec.Std, (m, s) => -m / s).ToArray()).view(1, 3, 1, 1);
        generator = new Generator((ulong)seed);
    }

    /// <summary>[N, 3, H, W] floats normalised exactly as <c>PosterPreprocessor.Normalize</c> does.</summary>
    public Tensor Images(IReadOnlyList<int> indices)
    {
        var spec = cache.Spec;
        var buffer = new byte[indices.Count * spec.PixelLength];
        for (var i = 0; i < indices.Count; i++)
        {
            cache.Pixels[indices[i]].CopyTo(buffer, i * spec.PixelLength);
        }

        using var raw = tensor(buffer, [indices.Count, spec.Height, spec.Width, 3]);
        return raw.permute(0, 3, 1, 2).to(ScalarType.Float32).mul(scale).add(offset);
    }

    public Tensor Labels(IReadOnlyList<int> indices)
    {
        var genres = cache.Posters[0].Labels.Length;
        var values = new float[indices.Count * genres];
        for (var i = 0; i < indices.Count; i++)
        {
            var labels = cache.Posters[indices[i]].Labels;
            for (var g = 0; g < genres; g++)
            {
                values[(i * genres) + g] = labels[g] ? 1f : 0f;
            }
        }

        return tensor(values, [indices.Count, genres]);
    }

    /// <summary>
    /// Augmentations that keep a poster a poster: a mirror image half of the time, a shift of up to
    /// 8 pixels each way (edges replicated), and brightness/contrast jitter of +-10%.
    /// </summary>
    public Tensor Augment(Tensor x)
    {
        var n = x.shape[0];
        var flip = rand([n, 1, 1, 1], generator: generator) < 0.5;
        x = where(flip, x.flip(3), x);

        var padded = nn.functional.pad(x, [MaxShift, MaxShift, MaxShift, MaxShift], PaddingModes.Replicate);
        var shifts = randint(0, (2 * MaxShift) + 1, [n, 2], generator: generator).data<long>().ToArray();
        var h = x.shape[2];
        var w = x.shape[3];
        var crops = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            crops[i] = padded[i].narrow(1, shifts[2 * i], h).narrow(2, shifts[(2 * i) + 1], w);
        }

        x = stack(crops);
        var contrast = 1 + ((rand([n, 1, 1, 1], generator: generator) - 0.5) * 0.2);
        var brightness = (rand([n, 1, 1, 1], generator: generator) - 0.5) * 0.2;
        var mean = x.mean([1, 2, 3], keepdim: true);
        return ((x - mean) * contrast) + mean + brightness;
    }
}
