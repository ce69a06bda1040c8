using BenchmarkDotNet.Attributes;
using PosterGenre.Inference;

namespace PosterGenre.Benchmarks;

/// <summary>
/// The service's inference under concurrent requests: one shared ONNX Runtime session against a
/// pool of two, with ONNX Runtime's intra-op threads at 1 or one per core (0). Each operation is
/// 8 concurrent callers each predicting one poster, as 8 simultaneous single-poster requests do.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class SessionPoolBenchmarks
{
    private const int Callers = 8;
    private GenreModel model = null!;
    private float[][] inputs = null!;

    [Params("poster-genre", "seed-baseline")]
    public string ModelName { get; set; } = "";

    [Params(1, 2)]
    public int Sessions { get; set; }

    [Params(0, 1)]
    public int IntraOpThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        model = GenreModel.Load(Assets.Model(ModelName), settings: new OnnxSessionSettings { Sessions = Sessions, IntraOpThreads = IntraOpThreads, MaxConcurrentInferences = Callers });
        inputs = [.. Assets.Posters().Select(p => model.Preprocessor.ToTensor(p))];
    }

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();

    [Benchmark(Description = "8 concurrent single-poster predictions")]
    public void ConcurrentPredictions() =>
        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, i => model.Predict([inputs[i % inputs.Length]]));
}
