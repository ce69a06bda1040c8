using System.Diagnostics;
using PosterGenre.Inference;

namespace PosterGenre.Benchmarks;

/// <summary>
/// The floor of serving one poster on this machine: W workers in this process, each in a loop of
/// decode + resize + preprocess + one ONNX Runtime run at batch 1 on a shared session, nothing
/// else (no HTTP). Each poster's work runs on one of the model's W inference threads, the only
/// threads that run a model (a hand-over of microseconds per poster). With W = the cores and one
/// intra-op thread each it is the throughput floor; with one worker and an intra-op thread per
/// core, the single-poster latency floor.
/// </summary>
internal static class FloorRun
{
    public static int Run(string model, int workers, int intraOpThreads, TimeSpan duration, TimeSpan pause = default)
    {
        var path = File.Exists(model) ? model : Assets.Model(model);
        using var genreModel = GenreModel.Load(path, settings: new OnnxSessionSettings { IntraOpThreads = intraOpThreads, MaxConcurrentInferences = workers });
        var posters = Assets.Posters();
        genreModel.Predict([genreModel.Preprocessor.ToTensor(posters[0])]);
        var latencies = new List<double>[workers];
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var mine = latencies[w] = [];
            var tensor = new float[genreModel.Preprocessor.Spec.TensorLength]; // reused, as the service's pooled tensors are
            for (var i = w; clock.Elapsed < duration; i++)
            {
                var start = clock.Elapsed;
                var poster = posters[i % posters.Length];
                genreModel.OnInferenceThreadAsync(() =>
                {
                    genreModel.Preprocessor.ToTensor(poster, tensor);
                    return genreModel.Predict([tensor]);
                }).GetAwaiter().GetResult();
                mine.Add((clock.Elapsed - start).TotalMilliseconds);
                if (pause > TimeSpan.Zero)
                {
                    Thread.Sleep(pause);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine($"floor: {Path.GetFileName(path)}, {workers} worker(s) x {(intraOpThreads == 0 ? "all" : intraOpThreads)} intra-op thread(s), {elapsed:F0} s{(pause > TimeSpan.Zero ? $", {pause.TotalMilliseconds:F0} ms pause between posters" : "")}: "
            + $"{all.Length / elapsed:F1} posters/s, latency p50 {Percentiles.Of(all, 0.50):F1} ms, p95 {Percentiles.Of(all, 0.95):F1} ms, p99 {Percentiles.Of(all, 0.99):F1} ms");
        return 0;
    }
}
