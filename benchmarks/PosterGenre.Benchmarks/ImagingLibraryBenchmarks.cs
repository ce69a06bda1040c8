using BenchmarkDotNet.Attributes;
using PosterGenre.Imaging;
using SkiaSharp;

namespace PosterGenre.Benchmarks;

/// <summary>
/// The imaging library choice, measured: decode a JPEG and resize it to the default model's
/// 192x288 input as RGB bytes through PosterPreprocessor with each library a manifest may name
/// (SkiaSharp: scaled decoding of large JPEGs, bilinear; ImageSharp 2.1.13, the customer's named
/// library in its last Apache-2.0 line: full-size decode, triangle filter), on a 300-pixel-wide
/// poster and on a 4000x6000 JPEG. DecoderComparison has the rest of the comparison.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class ImagingLibraryBenchmarks
{
    private const int Width = 192;
    private const int Height = 288;
    private PosterPreprocessor preprocessor = null!;
    private PosterPreprocessor imageSharp = null!;
    private byte[] image = null!;

    [Params("poster", "4000x6000")]
    public string Image { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        preprocessor = new PosterPreprocessor(new PreprocessingSpec { Width = Width, Height = Height, Mean = [0, 0, 0], Std = [1, 1, 1], Sampling = ResizeSampling.Linear });
        imageSharp = new PosterPreprocessor(preprocessor.Spec with { Decoder = ImagingLibrary.ImageSharp });
        var poster = Assets.Posters()[0];
        if (Image == "poster")
        {
            image = poster;
            return;
        }

        using var small = SKBitmap.Decode(poster);
        using var large = small.Resize(new SKImageInfo(4000, 6000), new SKSamplingOptions(SKFilterMode.Linear));
        using var data = large.Encode(SKEncodedImageFormat.Jpeg, 90);
        image = data.ToArray();
    }

    [Benchmark(Baseline = true, Description = "SkiaSharp")]
    public byte[] SkiaSharp() => preprocessor.ToRgb(image);

    [Benchmark(Description = "ImageSharp 2.1.13")]
    public byte[] ImageSharp() => imageSharp.ToRgb(image);
}
