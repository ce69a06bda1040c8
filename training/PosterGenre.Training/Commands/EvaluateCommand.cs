using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Reporting;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>evaluate</c> command: scores shipped ONNX models (through the service's own inference
/// code) on a dataset folder, all of it or one subset of a split file, beside the prior baseline,
/// and prints one comparison table with their inference cost.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string[]>("--model") { Description = "ONNX model(s); each manifest is the same path with .json. Repeat to compare models.", Required = true, AllowMultipleArgumentsPerToken = true };
        var data = CommandSupport.DataOption();
        var split = new Option<string?>("--split") { Description = "split.csv from training; with it, --subset picks posters and the prior baseline is added." };
        var subset = new Option<string>("--subset") { Description = "test, validation, train or all (needs --split unless all).", DefaultValueFactory = _ => "test" };
        subset.AcceptOnlyFromAmong("test", "validation", "train", "all");
        var output = new Option<string?>("--out") { Description = "Folder for metrics.json and metrics.md." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Resamples of the posters for 95% intervals of the headline metrics and of the first model's lead over the others (0: none).", DefaultValueFactory = _ => 1000 };
        bootstrap.Validators.Add(r =>
        {
            if (r.GetValue(bootstrap) is < 0 or > 100_000)
            {
                r.AddError("--bootstrap takes 0 (none) to 100000 resamples.");
            }
        });
        var ensemble = new Option<bool>("--ensemble") { Description = "Add a row for the models' mean probability (at the mean of their thresholds), e.g. to see what a set of distillation teachers knows; needs two or more --model." };
        ensemble.Validators.Add(r =>
        {
            if (r.GetValue(ensemble) && r.GetValue(model) is { Length: < 2 })
            {
                r.AddError("--ensemble needs two or more --model.");
            }
        });
        var command = new Command("evaluate", "Score ONNX models on a dataset folder and print the metrics beside the prior baseline.") { model, data, split, subset, output, bootstrap, ensemble };
        command.SetAction(result => CommandSupport.Run(() => EvaluateCommand.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(split), result.GetValue(subset)!, result.GetValue(output), Console.Out, bootstrapSamples: result.GetValue(bootstrap), ensemble: result.GetValue(ensemble))));
        return command;
    }

    public static int Execute(
        IReadOnlyList<string> modelPaths, string dataDir, string? splitFile, string subset, string? outDir, TextWriter log, int minPositivesForMacro = Evaluator.MinPositivesForMacro, int bootstrapSamples = 0, bool ensemble = false)
    {
        var dataset = PosterDataset.Load(dataDir);
        var split = splitFile is null ? null : DatasetSplit.Load(splitFile);
        IReadOnlyList<PosterRecord> selected = dataset.Posters;
        if (split is not null && subset != "all")
        {
            selected = split.Select(dataset.Posters, Enum.Parse<SplitName>(subset, ignoreCase: true));
        }

        var scope = split is null ? "all" : subset;
        var results = new List<EvaluationResult>();
        var costs = new List<ModelCost>();
        var scored = new List<(float[][] Probabilities, float[] Thresholds, int MinGenres, int MaxGenres)>();
        string[]? genres = null;
        bool[][]? labels = null;
        var seen = new Dictionary<string, int>();
        foreach (var modelPath in modelPaths)
        {
            using var model = GenreModel.Load(modelPath);
            var manifest = model.Manifest;

            // Two runs of one recipe share a name: number the repeats so every row and file is its own.
            var name = manifest.Quantization is null ? manifest.Name : $"{manifest.Name} int8";
            var count = seen[name] = seen.GetValueOrDefault(name) + 1;
            var label = count == 1 ? name : $"{name} #{count}";
            if (!dataset.Genres.SequenceEqual(manifest.Genres))
            {
                throw new DatasetException($"The dataset's genre columns ({string.Join(",", dataset.Genres)}) differ from those of '{modelPath}' ({string.Join(",", manifest.Genres)}).");
            }

            var cache = PixelCache.Build(selected, model.Preprocessor, []);
            var indices = Enumerable.Range(0, cache.Count).ToArray();
            var clock = Stopwatch.StartNew();
            var probabilities = OnnxScoring.Predict(model, cache, indices);
            var batchMs = clock.Elapsed.TotalMilliseconds / Math.Max(1, cache.Count);
            labels = cache.Posters.Select(p => p.Labels).ToArray();
            genres = manifest.Genres;
            var result = Evaluator.Evaluate(label, manifest.Genres, probabilities, labels, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres, minPositivesForMacro);
            results.Add(result);
            scored.Add((probabilities, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres));
            costs.Add(new ModelCost(label, manifest.MacsPerPoster ?? 0, manifest.TestTimeAugmentation == "hflip" ? 2 : 1, SinglePosterLatency(model, cache), batchMs));
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllText(Path.Combine(outDir, $"{label.Replace(" #", "-").Replace(' ', '-')}-{scope}.md"), ReportWriter.Table([result], $"{label} on {scope} posters"));
            }
        }

        if (ensemble && genres is not null && labels is not null)
        {
            // What averaging the models would give, e.g. a set of distillation teachers: the mean
            // probability per poster and genre, at the mean of their thresholds.
            if (scored.Any(m => m.Probabilities.Length != labels.Length))
            {
                throw new DatasetException("--ensemble: the models did not all read the same posters (an image decoded at one input size and not at another).");
            }

            var name = $"mean of {scored.Count} models";
            var mean = labels.Select((_, i) => Enumerable.Range(0, genres.Length).Select(g => scored.Average(m => m.Probabilities[i][g])).Select(p => (float)p).ToArray()).ToArray();
            var thresholds = Enumerable.Range(0, genres.Length).Select(g => (float)scored.Average(m => m.Thresholds[g])).ToArray();
            results.Add(Evaluator.Evaluate(name, genres, mean, labels, thresholds, scored[0].MinGenres, scored[0].MaxGenres, minPositivesForMacro));
            scored.Add((mean, thresholds, scored[0].MinGenres, scored[0].MaxGenres));
            costs.Add(new ModelCost(name, costs.Sum(c => c.Macs * c.Passes), 1, costs.Sum(c => c.MsBatch1), costs.Sum(c => c.MsBatch32)));
        }

        if (split is not null && genres is not null)
        {
            var train = split.Select(dataset.Posters, SplitName.Train);
            var validation = split.Select(dataset.Posters, SplitName.Validation);
            var priorThresholds = Thresholds.TuneForF1(OnnxScoring.Prior(train, genres.Length, validation.Count), [.. validation.Select(p => p.Labels)], genres.Length);
            var prior = OnnxScoring.Prior(train, genres.Length, labels!.Length);
            results.Add(Evaluator.Evaluate("prior", genres, prior, labels, priorThresholds, minPositivesForMacro: minPositivesForMacro));
            scored.Add((prior, priorThresholds, 1, 3));
        }

        object? intervals = null;
        var intervalTable = "";
        if (bootstrapSamples > 0 && labels is { Length: > 0 })
        {
            var bootstrap = new Bootstrap(labels.Length, bootstrapSamples, seed: 1);
            var replicates = scored.Select((m, i) => bootstrap.Replicates(m.Probabilities, labels, m.Thresholds, [.. results[i].Genres.Select(g => g.InMacro)], m.MinGenres, m.MaxGenres)).ToArray();
            var perModel = results.Select((r, i) => (r.Model, Bootstrap.Intervals(replicates[i]))).ToArray();
            var differences = results.Skip(1).Select((r, i) => ($"{results[0].Model} - {r.Model}", Bootstrap.DifferenceIntervals(replicates[0], replicates[i + 1]))).ToArray();
            intervalTable = IntervalTable(perModel, differences, labels.Length, bootstrapSamples);
            intervals = new
            {
                samples = bootstrapSamples,
                models = perModel.ToDictionary(m => m.Model, m => Named(m.Item2)),
                differences = differences.ToDictionary(d => d.Item1, d => Named(d.Item2)),
            };
        }

        var title = $"{scope} posters of {dataDir} ({labels?.Length ?? 0} posters)";
        var table = ReportWriter.Table(results, title);
        var comparison = Comparison(results, costs) + intervalTable + ReliabilityTable(results);
        log.WriteLine(table);
        log.WriteLine(comparison);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, ReportWriter.MetricsTable), table + "\n" + comparison);
            ReportWriter.WriteMetrics(outDir, new { data = dataDir, subset = scope, models = results, costs, intervals, cores = Environment.ProcessorCount, cpu = CpuDescription.Current });
        }

        return 0;
    }

    /// <summary>The README's results table: quality and inference cost side by side.</summary>
    public static string Comparison(IReadOnlyList<EvaluationResult> results, IReadOnlyList<ModelCost> costs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| model | macro ROC-AUC | macro AP | micro-F1 | P@3 | R@3 | MACs per poster | ms per poster (batch 1) | ms per poster (batch 32) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var cost = costs.FirstOrDefault(c => c.Model == r.Model);
            var s = r.Summary;
            var quality = string.Create(CultureInfo.InvariantCulture, $"| {r.Model} | {s["macroRocAuc"]:F3} | {s["macroAp"]:F3} | {s["microF1"]:F3} | {s["precisionAt3"]:F3} | {s["recallAt3"]:F3} | ");
            var price = cost is null
                ? "- | - | - |"
                : string.Create(CultureInfo.InvariantCulture, $"{cost.Macs / 1e6:F0} M{(cost.Passes > 1 ? $" x{cost.Passes} (flip TTA)" : "")} | {cost.MsBatch1:F1} | {cost.MsBatch32:F1} |");
            sb.AppendLine(quality + price);
        }

        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Latency: ONNX Runtime through the service's inference code on preprocessed input, median of 40 single-poster runs and mean over the batch-32 pass, on {CpuDescription.Current}."));
        return sb.ToString();
    }

    /// <summary>The 95% intervals of the headline metrics, and of the first model's lead over each other one.</summary>
    public static string IntervalTable(IReadOnlyList<(string Model, Interval[] Intervals)> models, IReadOnlyList<(string Pair, Interval[] Intervals)> differences, int posters, int samples)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"95% intervals: percentile bootstrap over the {posters} posters, {samples} resamples, every model on the same ones; a difference whose interval excludes 0 is more than the luck of this test set."));
        sb.AppendLine();
        sb.AppendLine("| model | macro ROC-AUC | macro AP | micro-F1 | P@3 |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (name, intervals) in models)
        {
            sb.AppendLine($"| {name} | {string.Join(" | ", intervals.Select(i => Range(i, signed: false)))} |");
        }

        foreach (var (pair, intervals) in differences)
        {
            sb.AppendLine($"| {pair} | {string.Join(" | ", intervals.Select(i => Range(i, signed: true)))} |");
        }

        return sb.ToString();
    }

    /// <summary>Per probability bin and model: the share of those (poster, genre) pairs that were right.</summary>
    public static string ReliabilityTable(IReadOnlyList<EvaluationResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("Calibration: every (poster, genre) probability in 10 bins; per model, the share of a bin's pairs whose genre was right, and how many pairs (a calibrated model's share is about the bin's mean probability).");
        sb.AppendLine();
        sb.AppendLine("| probability | " + string.Join(" | ", results.Select(r => r.Model)) + " |");
        sb.AppendLine("|---|" + string.Concat(results.Select(_ => "---:|")));
        for (var b = 0; b < results[0].Calibration.Length; b++)
        {
            var bin = results[0].Calibration[b];
            var cells = results.Select(r => r.Calibration[b]).Select(c => c.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{c.Observed:F3} ({c.Count})"));
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {bin.Low:F1}-{bin.High:F1} | ") + string.Join(" | ", cells) + " |");
        }

        sb.AppendLine();
        sb.AppendLine("Expected calibration error (the pairs' count-weighted gap between mean probability and share right): " + string.Join(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Model} {r.Summary["ece"]:F3}"))) + ".");
        return sb.ToString();
    }

    private static string Range(Interval interval, bool signed) =>
        signed
            ? string.Create(CultureInfo.InvariantCulture, $"{Rounded(interval.Low):+0.000;-0.000} to {Rounded(interval.High):+0.000;-0.000}")
            : string.Create(CultureInfo.InvariantCulture, $"{interval.Low:F3}-{interval.High:F3}");

    // Rounded first, negative zero made positive: a difference of -0.0001 printed "-+0.000".
    private static double Rounded(double value) => Math.Round(value, 3) + 0.0;

    private static Dictionary<string, Interval> Named(Interval[] intervals) =>
        Bootstrap.Metrics.Zip(intervals).ToDictionary(p => p.First, p => p.Second);

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
