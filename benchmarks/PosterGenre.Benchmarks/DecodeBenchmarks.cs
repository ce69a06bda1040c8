using BenchmarkDotNet.Attributes;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using SkiaSharp;

namespace PosterGenre.Benchmarks;

/// <summary>
/// Decode + orient + resize + normalise one image into the default model's input, per size and
/// format: a real 300x444-class poster (JPEG), the same poster as a 4000x6000 JPEG (a camera photo
/// of a poster) and as a PNG. For the large JPEG, the codec's scaled decoding (the service's path)
/// against a decode at full size, which is what it saves; for the poster, the resize with mipmaps
/// (LinearMipmap, what models before 2.1 trained with) against the manifest's bilinear.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private PosterPreprocessor preprocessor = null!;
    private PosterPreprocessor mipmapped = null!;
    private byte[] poster = null!;
    private byte[] largeJpeg = null!;
    private byte[] png = null!;
    private float[] input = null!;
    private SKSamplingOptions bareSampling;

    [GlobalSetup]
    public void Setup()
    {
        var spec = ModelManifest.Load(Path.ChangeExtension(Assets.Model("poster-genre"), ".json")).Preprocessing;
        preprocessor = new PosterPreprocessor(spec);
        mipmapped = new PosterPreprocessor(spec with { Sampling = ResizeSampling.LinearMipmap });
        poster = Assets.Posters()[0];
        input = new float[spec.TensorLength];
        bareSampling = new SKSamplingOptions(SKFilterMode.Linear, spec.Sampling == ResizeSampling.Linear ? SKMipmapMode.None : SKMipmapMode.Linear);
        using var small = SKBitmap.Decode(poster);
        using var large = small.Resize(new SKImageInfo(4000, 6000), new SKSamplingOptions(SKFilterMode.Linear));
        largeJpeg = Encode(large, SKEncodedImageFormat.Jpeg, 90);
        png = Encode(small, SKEncodedImageFormat.Png, 100);
    }

    [Benchmark(Baseline = true, Description = "poster JPEG (300 px wide) -> input")]
    public float[] PosterJpeg() => preprocessor.ToTensor(poster);

    /// <summary>What the service does per poster before inference: the header (the request's pixel budget), then the input, into a tensor it reuses.</summary>
    [Benchmark(Description = "poster JPEG -> header + input into a reused tensor (the service)")]
    public float[] PosterJpegAsServed()
    {
        _ = preprocessor.ReadHeader(poster);
        preprocessor.ToTensor(poster, input);
        return input;
    }

    /// <summary>The header alone: what the service's pixel budget reads before the decode reads it again.</summary>
    [Benchmark(Description = "poster JPEG -> header only")]
    public ImageHeader PosterJpegHeader() => preprocessor.ReadHeader(poster);

    /// <summary>The bare floor's preprocessing (<see cref="BareFloor"/>): the libraries alone, none of the project's code.</summary>
    [Benchmark(Description = "poster JPEG -> input, bare SkiaSharp (the bare floor's loop)")]
    public float[] PosterJpegBare()
    {
        var spec = preprocessor.Spec;
        using var decoded = SKBitmap.Decode(poster);
        using var resized = decoded.Resize(new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Premul), bareSampling);
        var pixels = resized.GetPixelSpan();
        var plane = spec.Width * spec.Height;
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                input[(c * plane) + i] = ((pixels[(4 * i) + c] / 255f) - spec.Mean[c]) / spec.Std[c];
            }
        }

        return input;
    }

    [Benchmark(Description = "poster JPEG -> input, mipmapped resize (LinearMipmap)")]
    public float[] PosterJpegMipmapped() => mipmapped.ToTensor(poster);

    [Benchmark(Description = "poster PNG -> input")]
    public float[] PosterPng() => preprocessor.ToTensor(png);

    [Benchmark(Description = "4000x6000 JPEG -> input (scaled decoding)")]
    public float[] LargeJpeg() => preprocessor.ToTensor(largeJpeg);

    [Benchmark(Description = "4000x6000 JPEG, full-size decode only")]
    public int LargeJpegFullDecode()
    {
        using var bitmap = PosterDecoder.DecodeUpright(largeJpeg, ImageLimits.Default, 4000, 6000, out var reservation);
        reservation?.Dispose();
        return bitmap.Width;
    }

    private static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }
}
