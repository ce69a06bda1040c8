using BenchmarkDotNet.Attributes;
using PosterGenre.Imaging;

namespace PosterGenre.Benchmarks;

/// <summary>Decode + orient + resize + normalise one poster, for each shipped model's input size.</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class PreprocessingBenchmarks
{
    private PosterPreprocessor preprocessor = null!;
    private byte[] poster = null!;

    [Params(128, 350)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var height = Width == 128 ? 192 : 350;
        preprocessor = new PosterPreprocessor(new PreprocessingSpec { Width = Width, Height = height, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] });
        poster = Assets.Posters()[0];
    }

    [Benchmark(Baseline = true)]
    public byte[] DecodeAndResize() => preprocessor.ToRgb(poster);

    [Benchmark]
    public float[] DecodeResizeAndNormalize() => preprocessor.ToTensor(poster);
}
