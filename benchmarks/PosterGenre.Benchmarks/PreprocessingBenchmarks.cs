using BenchmarkDotNet.Attributes;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Benchmarks;

/// <summary>Decode + orient + resize + normalise one poster, with each shipped model's preprocessing (from its manifest).</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class PreprocessingBenchmarks
{
    private PosterPreprocessor preprocessor = null!;
    private byte[] poster = null!;

    [Params("poster-genre", "seed-baseline")]
    public string ModelName { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        preprocessor = new PosterPreprocessor(ModelManifest.Load(Path.ChangeExtension(Assets.Model(ModelName), ".json")).Preprocessing);
        poster = Assets.Posters()[0];
    }

    [Benchmark(Baseline = true)]
    public byte[] DecodeAndResize() => preprocessor.ToRgb(poster);

    [Benchmark]
    public float[] DecodeResizeAndNormalize() => preprocessor.ToTensor(poster);
}
