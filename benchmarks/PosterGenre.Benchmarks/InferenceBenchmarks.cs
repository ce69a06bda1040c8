using BenchmarkDotNet.Attributes;
using PosterGenre.Inference;

namespace PosterGenre.Benchmarks;

/// <summary>
/// One ONNX Runtime run per model at batch 1, 4 and 16 (one intra-op thread, as each of the
/// service's concurrent inferences has). Per-poster cost is the time divided by the batch.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private GenreModel model = null!;
    private float[][] inputs = null!;

    [Params("poster-genre", "poster-genre.int8", "poster-genre-fast")]
    public string ModelFile { get; set; } = "";

    [Params(1, 4, 16)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        model = GenreModel.Load(Assets.Model(ModelFile), settings: new OnnxSessionSettings { IntraOpThreads = 1 });
        var posters = Assets.Posters();
        inputs = [.. Enumerable.Range(0, Batch).Select(i => model.Preprocessor.ToTensor(posters[i % posters.Length]))];
    }

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();

    [Benchmark(Description = "ONNX Runtime run")]
    public float[][] Run() => model.Predict(inputs);
}
