using BenchmarkDotNet.Attributes;
using PosterGenre.Inference;

namespace PosterGenre.Benchmarks;

/// <summary>The whole in-process path of one poster per model: decode + resize + preprocess + one run at batch 1 (one intra-op thread).</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private GenreModel model = null!;
    private byte[] poster = null!;

    [Params("poster-genre", "poster-genre.int8", "poster-genre-fast")]
    public string ModelFile { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        model = GenreModel.Load(Assets.Model(ModelFile), settings: new OnnxSessionSettings { IntraOpThreads = 1 });
        poster = Assets.Posters()[0];
    }

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();

    [Benchmark(Description = "decode + preprocess + run, one poster")]
    public float[][] Pipeline() => model.Predict([model.Preprocessor.ToTensor(poster)]);
}
