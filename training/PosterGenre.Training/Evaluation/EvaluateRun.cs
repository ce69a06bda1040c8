using System.Diagnostics;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Reporting;

namespace PosterGenre.Training.Evaluation;

/// <summary>
/// The <c>evaluate</c> command: scores a shipped ONNX model (through the service's own inference
/// code) on a dataset folder, all of it or one subset of a split file, beside the prior baseline.
/// </summary>
public static class EvaluateRun
{
    public static int Execute(string modelPath, string dataDir, string? splitFile, string subset, string? outDir, TextWriter log, int minPositivesForMacro = Evaluator.MinPositivesForMacro)
    {
        using var model = GenreModel.Load(modelPath);
        var manifest = model.Manifest;
        var dataset = PosterDataset.Load(dataDir);
        if (!dataset.Genres.SequenceEqual(manifest.Genres))
        {
            throw new DatasetException($"The dataset's genre columns ({string.Join(",", dataset.Genres)}) differ from the model's ({string.Join(",", manifest.Genres)}).");
        }

        var split = splitFile is null ? null : DatasetSplit.Load(splitFile);
        IReadOnlyList<PosterRecord> selected = dataset.Posters;
        if (split is not null && subset != "all")
        {
            var wanted = Enum.Parse<SplitName>(subset, ignoreCase: true);
            selected = split.Select(dataset.Posters, wanted);
        }

        var cache = PixelCache.Build(selected, model.Preprocessor, dataset.Skipped);
        var indices = Enumerable.Range(0, cache.Count).ToArray();
        var clock = Stopwatch.StartNew();
        var probabilities = OnnxScoring.Predict(model, cache, indices);
        var batchMs = clock.Elapsed.TotalMilliseconds / Math.Max(1, cache.Count);
        var labels = cache.Posters.Select(p => p.Labels).ToArray();
        var results = new List<EvaluationResult>
        {
            Evaluator.Evaluate(manifest.Name, manifest.Genres, probabilities, labels, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres, minPositivesForMacro),
        };

        if (split is not null)
        {
            var train = split.Select(dataset.Posters, SplitName.Train);
            var validation = split.Select(dataset.Posters, SplitName.Validation);
            var priorThresholds = Thresholds.TuneForF1(
                OnnxScoring.Prior(train, manifest.Genres.Length, validation.Count), [.. validation.Select(p => p.Labels)], manifest.Genres.Length);
            results.Add(Evaluator.Evaluate("prior", manifest.Genres, OnnxScoring.Prior(train, manifest.Genres.Length, cache.Count), labels, priorThresholds, minPositivesForMacro: minPositivesForMacro));
        }

        var latency = SinglePosterLatency(model, cache);
        var title = $"{manifest.Name} {manifest.Version} on {(split is null ? "all" : subset)} posters of {dataDir} ({cache.Count} posters)";
        var table = ReportWriter.Table(results, title);
        var cost = $"Inference cost: {manifest.MacsPerPoster / 1e6:F0} M MACs per poster{(manifest.TestTimeAugmentation == "hflip" ? " (x2 with flip TTA)" : "")}; "
            + $"median {latency:F1} ms per poster at batch 1 and {batchMs:F1} ms per poster at batch 32 (preprocessed input, TTA included, {Environment.ProcessorCount} cores).";
        log.WriteLine(table);
        log.WriteLine(cost);
        if (dataset.Skipped.Count > 0)
        {
            log.WriteLine($"{dataset.Skipped.Count} rows skipped (see the train command's skipped.csv for reasons).");
        }

        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, ReportWriter.MetricsTable), table + "\n" + cost + "\n");
            ReportWriter.WriteMetrics(outDir, new
            {
                model = modelPath,
                data = dataDir,
                subset = split is null ? "all" : subset,
                models = results,
                macsPerPoster = manifest.MacsPerPoster,
                latencyMsBatch1 = latency,
                latencyMsBatch32 = batchMs,
                cores = Environment.ProcessorCount,
            });
        }

        return 0;
    }

    private static double SinglePosterLatency(GenreModel model, PixelCache cache)
    {
        var samples = new List<double>();
        var count = Math.Min(cache.Count, 40);
        for (var i = 0; i < count; i++)
        {
            var chw = new float[model.Preprocessor.Spec.TensorLength];
            model.Preprocessor.Normalize(cache.Pixels[i], chw);
            var clock = Stopwatch.StartNew();
            model.Predict([chw]);
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        return samples.Count == 0 ? 0 : samples[samples.Count / 2];
    }
}
