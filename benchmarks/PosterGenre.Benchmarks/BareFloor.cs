using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace PosterGenre.Benchmarks;

/// <summary>
/// The bare floor: what any program serving this model file must do per poster, written with the
/// libraries alone and none of the project's code: SkiaSharp decodes the JPEG and resizes it
/// to the manifest's size with its sampling (linear, with or without mipmaps), a loop copies it into planar floats with the manifest's mean
/// and std, and ONNX Runtime runs it at batch 1 on a shared session with one intra-op thread per
/// run; W worker threads loop over the posters. With W = the cores it is the throughput every
/// serving path is measured against; with one worker and a thread per core, the single-poster
/// latency. <see cref="FloorRun"/> is the same loop through the project's preprocessor and
/// inference threads, so the gap between the two is what the project's own code costs.
/// </summary>
internal static class BareFloor
{
    public static int Run(string model, int workers, int intraOpThreads, TimeSpan duration)
    {
        var path = File.Exists(model) ? model : Assets.Model(model);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
        var spec = manifest.RootElement.GetProperty("preprocessing");
        var (width, height) = (spec.GetProperty("width").GetInt32(), spec.GetProperty("height").GetInt32());
        var mean = spec.GetProperty("mean").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var std = spec.GetProperty("std").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var inputName = manifest.RootElement.GetProperty("inputName").GetString()!;
        var outputName = manifest.RootElement.GetProperty("outputName").GetString()!;

        using var options = new SessionOptions { IntraOpNumThreads = intraOpThreads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        using var session = new InferenceSession(path, options);
        var posters = Assets.Posters();
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, spec.GetProperty("sampling").GetString() == "Linear" ? SKMipmapMode.None : SKMipmapMode.Linear);
        using var run = new RunOptions();
        long[] shape = [1, 3, height, width];

        float[] Score(byte[] jpeg, float[] planes)
        {
            using (var decoded = SKBitmap.Decode(jpeg))
            using (var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling))
            {
                var pixels = resized.GetPixelSpan();
                var plane = width * height;
                for (var i = 0; i < plane; i++)
                {
                    for (var c = 0; c < 3; c++)
                    {
                        planes[(c * plane) + i] = ((pixels[(4 * i) + c] / 255f) - mean[c]) / std[c];
                    }
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(planes, shape);
            using var outputs = session.Run(run, [inputName], [input], [outputName]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        Score(posters[0], new float[3 * width * height]);
        var latencies = new List<double>[workers];
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var mine = latencies[w] = [];
            var planes = new float[3 * width * height];
            for (var i = w; clock.Elapsed < duration; i++)
            {
                var start = clock.Elapsed;
                Score(posters[i % posters.Length], planes);
                mine.Add((clock.Elapsed - start).TotalMilliseconds);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        Console.WriteLine($"bare floor: {Path.GetFileName(path)}, {workers} worker(s) x {(intraOpThreads == 0 ? "all" : intraOpThreads)} intra-op thread(s), {elapsed:F0} s: "
            + $"{all.Length / elapsed:F1} posters/s, latency p50 {Percentiles.Of(all, 0.50):F1} ms, p95 {Percentiles.Of(all, 0.95):F1} ms, p99 {Percentiles.Of(all, 0.99):F1} ms");
        return 0;
    }
}
