using System.Diagnostics;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using SkiaSharp;

namespace PosterGenre.Benchmarks;

/// <summary>
/// SkiaSharp against ImageSharp as a model's imaging library, beside the timings of
/// <see cref="ImagingLibraryBenchmarks"/>: how far their pixels and the model's probabilities
/// differ on the same posters, and the process's peak memory decoding one large flat PNG (each
/// library in a fresh process, so one's pools do not count for the other).
/// </summary>
internal static class DecoderComparison
{
    public static int Run(string modelFile, string folder, int limit)
    {
        using var model = GenreModel.Load(Assets.Model(modelFile));
        var skia = model.Preprocessor;
        var imageSharp = new PosterPreprocessor(skia.Spec with { Decoder = ImagingLibrary.ImageSharp });
        var files = Directory.EnumerateFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Take(limit).ToArray();
        var bytes = files.Select(File.ReadAllBytes).ToArray();
        var (pixelSum, pixelCount) = (0L, 0L);
        foreach (var image in bytes)
        {
            var (a, b) = (skia.ToRgb(image), imageSharp.ToRgb(image));
            pixelSum += a.Zip(b, (x, y) => (long)Math.Abs(x - y)).Sum();
            pixelCount += a.Length;
        }

        var p = PosterScorer.Probabilities(model, bytes, image => skia.ToTensor(image));
        var q = PosterScorer.Probabilities(model, bytes, image => imageSharp.ToTensor(image));
        var differences = p.Zip(q, (x, y) => x.Zip(y, (u, v) => Math.Abs(u - v))).SelectMany(d => d).ToArray();
        var sameTop = p.Zip(q).Count(pair => GenreDecision.TopK(pair.First, 1)[0] == GenreDecision.TopK(pair.Second, 1)[0]);
        Console.WriteLine($"decoders: {files.Length} posters of {folder}, {modelFile} at {skia.Spec.Width}x{skia.Spec.Height}: mean |SkiaSharp - ImageSharp| {pixelSum / (double)pixelCount:F2} of 255 per channel; "
            + $"probabilities differ by {differences.Average():F4} on average, {differences.Max():F4} at most; the same top genre for {sameTop} of {files.Length}");
        foreach (var library in Enum.GetValues<ImagingLibrary>())
        {
            var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, ["peak", library.ToString()]) { RedirectStandardOutput = true })!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
        }

        return 0;
    }

    /// <summary>In this (fresh) process: peak RSS while one library turns a 6000x6000 flat PNG into a 192x288 input.</summary>
    public static int Peak(ImagingLibrary library)
    {
        byte[] png;
        using (var flat = new SKBitmap(6000, 6000))
        {
            flat.Erase(SKColors.SteelBlue);
            png = flat.Encode(SKEncodedImageFormat.Png, 9).ToArray();
        }

        GC.Collect();
        var before = PeakRssMegabytes();
        var preprocessor = new PosterPreprocessor(new PreprocessingSpec { Width = 192, Height = 288, Mean = [0, 0, 0], Std = [1, 1, 1], Decoder = library });
        var clock = Stopwatch.StartNew();
        preprocessor.ToRgb(png);
        Console.WriteLine($"decoders: {library}, a 6000x6000 flat PNG ({png.Length / 1024} KB) to 192x288: {clock.Elapsed.TotalMilliseconds:F0} ms, peak RSS {before:F0} MB before, {PeakRssMegabytes():F0} MB after");
        return 0;
    }

    private static double PeakRssMegabytes() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? long.Parse(kb) / 1024.0 : 0;
}
