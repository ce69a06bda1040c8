using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Export;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Models;
using PosterGenre.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Commands;

/// <summary>The run of <c>train</c>: one method per step, in the order they happen.</summary>
public static partial class TrainCommand
{
    /// <summary>ONNX Runtime must reproduce TorchSharp's probabilities to this (max absolute difference).</summary>
    public const float ParityTolerance = 1e-4f;

    /// <summary>Exit code of a run stopped after an epoch; <c>--resume</c> continues it.</summary>
    public const int Stopped = 3;

    /// <summary>
    /// The first round(fraction x n) of the training posters in an order shuffled by the seed, kept
    /// in their original order: with one seed a smaller share is always part of a larger one.
    /// </summary>
    internal static int[] TrainShare(int[] train, double fraction, int seed)
    {
        var keep = Math.Max(2, (int)Math.Round(train.Length * fraction));
        var order = (int[])train.Clone();
        new Random(seed).Shuffle(order);
        return [.. order.Take(keep).Order()];
    }

    public static int Execute(TrainOptions options, TextWriter log)
    {
        var profile = options.Profile;
        if (options.Resume)
        {
            // Before an hour of decoding and training: is there a run to resume, of this recipe?
            var state = ResumeState.Load(options.OutDir);
            state.CheckMatches(profile.Architecture, profile.Epochs, options.Seed, state.TrainPosters);
        }

        // Before LibTorch makes its first kernel: oneDNN reads its instruction-set cap only then.
        var numerics = NumericsGuard.Ensure(log);
        Directory.CreateDirectory(options.OutDir);
        if (options.Threads > 0)
        {
            set_num_threads(options.Threads);
        }

        random.manual_seed(options.Seed);
        var (dataset, rawCache) = DecodePosters(options, log);
        var reference = options.RefitFrom is null ? null : RefitReference.Load(options.RefitFrom, dataset.Genres, profile.Architecture);
        var posters = SplitPosters(options, rawCache, reference, log);
        var teachers = options.Teachers.Count > 0 ? Teachers(options, rawCache, dataset.Genres, posters, log) : null;
        var spec = profile.PixelMean is { } pixelMean
            ? rawCache.Spec with { Mean = [.. pixelMean.Select(m => m / 255f)], Std = [1 / 255f, 1 / 255f, 1 / 255f] }
            : Standardized(rawCache.Spec, profile.Standardize ? rawCache.ChannelStatistics(posters.Train) : ([0f, 0f, 0f], [1f, 1f, 1f]));
        var cache = rawCache.WithSpec(spec);

        var trainer = new Trainer(options, cache, posters.Train, posters.Validation, dataset.Genres, teachers);
        nn.Module<Tensor, Tensor> net;
        try
        {
            net = trainer.Train(log);
        }
        catch (OperationCanceledException e)
        {
            log.WriteLine($"{e.Message}; continue with the same command and --resume");
            return Stopped;
        }

        var (modelPath, manifest, parity) = Export(options, net, dataset, cache, posters, reference, numerics, log);
        Evaluate(options, modelPath, manifest, parity, dataset.Genres, cache, posters, reference, trainer.History, log);
        ResumeState.Delete(options.OutDir);
        return 0;
    }

    /// <summary>The posters a run trains on, tunes on (validation; a refit trains on it too and keeps it only as held out) and tests on, as cache indices.</summary>
    private sealed record PosterSplit(int[] Train, int[] Validation, int[] HeldOut, int[] Test);

    /// <summary>Reads the dataset and decodes every poster once, at the recipe's size, unnormalised; writes skipped.csv.</summary>
    private static (PosterDataset Dataset, PixelCache Cache) DecodePosters(TrainOptions options, TextWriter log)
    {
        var profile = options.Profile;
        var dataset = PosterDataset.Load(options.DataDir);
        var posters = options.Limit > 0 ? dataset.Posters.Take(options.Limit).ToList() : [.. dataset.Posters];
        log.WriteLine($"data: {dataset.Posters.Count} posters kept from {Path.Combine(options.DataDir, PosterDataset.CsvName)}, {dataset.Skipped.Count} rows skipped{(options.Limit > 0 ? $", using the first {posters.Count}" : "")}");

        var rawSpec = new PreprocessingSpec { Width = profile.Width, Height = profile.Height, Resize = profile.Resize, Decoder = profile.Decoder, Mean = [0, 0, 0], Std = [1, 1, 1] };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cache = PixelCache.Build(posters, new PosterPreprocessor(rawSpec), dataset.Skipped, n => log.WriteLine($"decoded {n}/{posters.Count} posters"));
        log.WriteLine($"decoded {cache.Count} posters once in {clock.Elapsed.TotalSeconds:F1} s ({cache.Count * rawSpec.PixelLength / 1e6:F0} MB of pixels)");
        WriteSkipped(Path.Combine(options.OutDir, "skipped.csv"), dataset.Skipped);
        foreach (var reason in dataset.Skipped.GroupBy(s => ReasonKind(s.Reason)))
        {
            log.WriteLine($"skipped {reason.Count()}: {reason.Key} (e.g. line {reason.First().Line} {reason.First().Id}: {reason.First().Reason})");
        }

        return (dataset, cache);
    }

    /// <summary>The split (a refit's, a given one, or a new one from the seed), saved as split.csv; a training share; a refit's train + validation.</summary>
    private static PosterSplit SplitPosters(TrainOptions options, PixelCache cache, RefitReference? reference, TextWriter log)
    {
        var splitFile = reference?.SplitFile ?? options.SplitFile;
        var split = splitFile is not null ? DatasetSplit.Load(splitFile) : DatasetSplit.Create(cache.Posters, options.Seed);
        split.Save(Path.Combine(options.OutDir, DatasetSplit.FileName));
        int[] Indices(SplitName s) => [.. Enumerable.Range(0, cache.Count).Where(i => split.Assignment.TryGetValue(cache.Posters[i].Id, out var a) && a == s)];
        var train = Indices(SplitName.Train);
        var validation = Indices(SplitName.Validation);
        var test = Indices(SplitName.Test);
        log.WriteLine($"split ({(splitFile is null ? $"seed {options.Seed}" : $"from {splitFile}")}): {train.Length} train, {validation.Length} validation, {test.Length} test");
        if (train.Length < 2 || validation.Length == 0 || test.Length == 0)
        {
            throw new DatasetException($"Too few posters to train: {train.Length} train, {validation.Length} validation, {test.Length} test.");
        }

        if (options.TrainFraction < 1)
        {
            var all = train.Length;
            train = TrainShare(train, options.TrainFraction, options.Seed);
            log.WriteLine($"training on {train.Length} of the {all} training posters (--train-fraction {options.TrainFraction:G}); validation and test are whole");
        }

        if (reference is null)
        {
            return new PosterSplit(train, validation, validation, test);
        }

        // A refit trains on train + validation; validation stays known only to tune the prior's thresholds.
        log.WriteLine($"refit of {reference.ManifestPath}: training on {train.Length + validation.Length} train + validation posters for {options.Profile.Epochs} epochs, keeping the final weights and its thresholds");
        return new PosterSplit([.. train, .. validation], [], validation, test);
    }

    private static TeacherTargets Teachers(TrainOptions options, PixelCache cache, string[] genres, PosterSplit posters, TextWriter log)
    {
        var teachers = TeacherTargets.Compute(options.Teachers, options.DistillWeight, cache, genres);
        var softness = posters.Train.Average(i => cache.Posters[i].Labels.Select((l, g) => Math.Abs((l ? 1 : 0) - teachers.Probabilities[i][g])).Average());
        var teacherMap = posters.Validation.Length == 0 ? "" : FormattableString.Invariant($", validation mAP of their mean {RankingMetrics.MacroAp([.. posters.Validation.Select(i => teachers.Probabilities[i])], [.. posters.Validation.Select(i => cache.Posters[i].Labels)], options.MinPositivesForMacro):F4}");
        log.WriteLine(FormattableString.Invariant($"distillation: targets are {1 - teachers.Weight:F2} x labels + {teachers.Weight:F2} x the mean of {teachers.Names.Count} teacher(s): {string.Join("; ", teachers.Names)}; mean |teacher - label| on training posters {softness:F4}{teacherMap}"));
        return teachers;
    }

    /// <summary>Writes the ONNX model and its manifest, and refuses an export that ONNX Runtime does not reproduce.</summary>
    private static (string ModelPath, ModelManifest Manifest, float Parity) Export(TrainOptions options, nn.Module<Tensor, Tensor> net, PosterDataset dataset, PixelCache cache, PosterSplit posters, RefitReference? reference, TrainingNumerics numerics, TextWriter log)
    {
        var profile = options.Profile;
        var name = string.IsNullOrWhiteSpace(options.ModelName) ? profile.Architecture : options.ModelName;
        var genreNet = (IGenreNet)net;
        var modelPath = Path.Combine(options.OutDir, name + ".onnx");
        var manifestPath = Path.ChangeExtension(modelPath, ".json");
        var metadata = new Dictionary<string, string>
        {
            ["name"] = name,
            ["version"] = options.Version,
            ["genres"] = string.Join(",", dataset.Genres),
        };
        var manifest = new ModelManifest
        {
            Name = name,
            Version = options.Version,
            Architecture = profile.Architecture,
            Genres = dataset.Genres,
            Thresholds = [.. dataset.Genres.Select(_ => 0.5f)],
            Preprocessing = cache.Spec,
            TestTimeAugmentation = "none",
            InputName = OnnxExporter.InputName,
            OutputName = OnnxExporter.OutputName,
            MacsPerPoster = genreNet.Macs,
            Parameters = net.parameters().Sum(p => p.numel()),
            TrainingData = new TrainingDataInfo(dataset.CsvSha256, cache.Count, posters.Train.Length, posters.Validation.Length, posters.Test.Length, options.Seed),
            RefitOf = reference is null ? null : $"{reference.Manifest.Name} {reference.Manifest.Version} ({reference.Manifest.TrainingCommand})",
            TrainingCommand = options.CommandLine,
            StartedFrom = net is PretrainedResNet ? PretrainedFiles.Describe(profile.InitFrom ?? PretrainedFiles.ResNet18) : null,
            Numerics = numerics,
            // The ResNet models' second output: their pooled features, for posters like this one (docs/similar.md).
            EmbeddingName = net is PretrainedResNet ? OnnxEmbedding.OutputName : null,
            EmbeddingLength = (net as PretrainedResNet)?.FeatureLength,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        manifest.Save(manifestPath);

        // Parity is checked on the plain network (no test-time augmentation), as TorchSharp computes it.
        var parityIndices = (posters.Validation.Length > 0 ? posters.Validation : posters.Test).Take(16).ToArray();
        var (parity, rounding) = ExportChecked(genreNet, net, profile, modelPath, manifestPath, cache, parityIndices, metadata, dataset.Genres.Length);
        log.WriteLine($"ONNX parity on {parityIndices.Length} {(posters.Validation.Length > 0 ? "validation" : "test")} posters: max |TorchSharp - ONNX Runtime| = {parity.Probabilities:E2}"
            + (manifest.EmbeddingName is null ? "" : $", embedding {parity.Embedding:E2}") + $" (tolerance {ParityTolerance:E0})");
        if (!(parity.Probabilities <= ParityTolerance) || !(parity.Embedding <= ParityTolerance))
        {
            throw new InvalidOperationException($"The exported model differs from TorchSharp by {Math.Max(parity.Probabilities, parity.Embedding):E2} > {ParityTolerance:E0}; the export is wrong.");
        }

        if (profile.HalfWeights)
        {
            log.WriteLine($"float16 weights: max |float16 file - float32 export| = {rounding:E2} on the same posters; the file is {new FileInfo(modelPath).Length / 1e6:F1} MB");
        }

        manifest = manifest with { TestTimeAugmentation = reference?.Manifest.TestTimeAugmentation ?? profile.TestTimeAugmentation };
        manifest.Save(manifestPath);
        return (modelPath, manifest, parity.Probabilities);
    }

    /// <summary>Tunes thresholds on validation (a refit keeps its reference's), evaluates on test beside the prior, and writes the manifest's figures and the report.</summary>
    private static void Evaluate(TrainOptions options, string modelPath, ModelManifest manifest, float parity, string[] genres, PixelCache cache, PosterSplit posters, RefitReference? reference, IReadOnlyList<EpochRecord> history, TextWriter log)
    {
        var manifestPath = Path.ChangeExtension(modelPath, ".json");
        using var onnx = GenreModel.Load(modelPath, manifestPath);
        var validationLabels = posters.HeldOut.Select(i => cache.Posters[i].Labels).ToArray();
        var thresholds = reference?.Manifest.Thresholds
            ?? Thresholds.TuneForF1(OnnxScoring.Predict(onnx, cache, posters.Validation), validationLabels, genres.Length);

        var testLabels = posters.Test.Select(i => cache.Posters[i].Labels).ToArray();
        var result = Evaluator.Evaluate(manifest.Name, genres, OnnxScoring.Predict(onnx, cache, posters.Test), testLabels, thresholds, manifest.MinGenres, manifest.MaxGenres, options.MinPositivesForMacro);
        var trainPosters = posters.Train.Select(i => cache.Posters[i]).ToArray();
        var priorThresholds = Thresholds.TuneForF1(OnnxScoring.Prior(trainPosters, genres.Length, posters.HeldOut.Length), validationLabels, genres.Length);
        var prior = Evaluator.Evaluate("prior", genres, OnnxScoring.Prior(trainPosters, genres.Length, posters.Test.Length), testLabels, priorThresholds, minPositivesForMacro: options.MinPositivesForMacro);

        manifest = manifest with
        {
            Thresholds = thresholds,
            TestMetrics = new Dictionary<string, double>(result.Summary) { [EvaluationResult.ParityKey] = parity },
        };
        manifest.Save(manifestPath);

        var table = ReportWriter.Table([result, prior], $"Test split ({posters.Test.Length} posters)");
        File.WriteAllText(Path.Combine(options.OutDir, ReportWriter.MetricsTable), table);
        ReportWriter.WriteMetrics(options.OutDir, new
        {
            split = "test",
            models = new[] { result, prior },
            history,
            onnxParityMaxAbsDiff = parity,
        });
        WriteHistory(Path.Combine(options.OutDir, "history.csv"), history);
        var trainCounts = Enumerable.Range(0, genres.Length).Select(g => trainPosters.Count(p => p.Labels[g])).ToArray();
        ReportWriter.WritePlots(options.OutDir, history, genres, trainCounts, trainPosters.Length, result);
        ReportWriter.WriteHtml(options.OutDir, $"PosterGenre training report: {manifest.Name}", table, manifest);
        log.WriteLine(table);
        log.WriteLine($"wrote {modelPath}, {manifestPath} and the report in {options.OutDir}");
    }

    private static PreprocessingSpec Standardized(PreprocessingSpec spec, (float[] Mean, float[] Std) statistics) =>
        spec with { Mean = [.. statistics.Mean.Select(v => MathF.Round(v, 4))], Std = [.. statistics.Std.Select(v => MathF.Round(v, 4))] };

    /// <summary>
    /// Exports the network (with its embedding output when the manifest names one); with
    /// half-precision weights, also a float32 twin whose parity with TorchSharp is the export's
    /// check, and the float16 file's own distance from it is reported. Returns the parity (float32
    /// against TorchSharp: probabilities, and embeddings or 0 without) and the storage rounding
    /// (float16 against float32; 0 without).
    /// </summary>
    private static ((float Probabilities, float Embedding) Parity, float Rounding) ExportChecked(IGenreNet net, nn.Module<Tensor, Tensor> module, Recipe profile, string modelPath, string manifestPath, PixelCache cache, int[] indices, IReadOnlyDictionary<string, string> metadata, int genres)
    {
        var full = profile.HalfWeights ? Path.ChangeExtension(modelPath, ".fp32.onnx") : modelPath;
        var embedded = module as PretrainedResNet;
        Write(net, profile, full, metadata, genres, embedded is not null, halfWeights: false);
        var torchProbabilities = Trainer.Predict(module, new BatchMaker(cache, 0), indices);
        var torchEmbeddings = embedded is null ? null : Trainer.Embed(embedded, new BatchMaker(cache, 0), indices);
        float[][] fullProbabilities;
        float embeddingParity = 0;
        if (profile.HalfWeights)
        {
            File.Copy(manifestPath, Path.ChangeExtension(full, ".json"), overwrite: true);
        }

        using (var plain = GenreModel.Load(full, Path.ChangeExtension(full, ".json")))
        {
            fullProbabilities = OnnxScoring.Predict(plain, cache, indices);
            if (torchEmbeddings is not null)
            {
                embeddingParity = MaxDifference(torchEmbeddings, OnnxScoring.Embed(plain, cache, indices));
            }
        }

        var parity = (MaxDifference(torchProbabilities, fullProbabilities), embeddingParity);
        if (!profile.HalfWeights)
        {
            return (parity, 0);
        }

        Write(net, profile, modelPath, metadata, genres, embedded is not null, halfWeights: true);
        using (var half = GenreModel.Load(modelPath, manifestPath))
        {
            var rounding = MaxDifference(fullProbabilities, OnnxScoring.Predict(half, cache, indices));
            File.Delete(full);
            File.Delete(Path.ChangeExtension(full, ".json"));
            return (parity, rounding);
        }
    }

    private static void Write(IGenreNet net, Recipe profile, string path, IReadOnlyDictionary<string, string> metadata, int genres, bool embedding, bool halfWeights)
    {
        OnnxExporter.Export(net.Export, path, profile.Height, profile.Width, genres, metadata, halfWeights: halfWeights);
        if (embedding)
        {
            OnnxEmbedding.AddTo(path, OnnxExporter.OutputName);
        }
    }

    private static float MaxDifference(float[][] a, float[][] b) => a.Zip(b, (x, y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Max()).Max();

    private static string ReasonKind(string reason) =>
        reason.StartsWith("repeated id", StringComparison.Ordinal) ? "repeated ids"
        : reason.StartsWith("image", StringComparison.Ordinal) ? "missing or unreadable images"
        : "invalid rows";

    private static void WriteSkipped(string path, IEnumerable<SkippedRow> skipped) =>
        File.WriteAllLines(path, ["Line,Id,Reason", .. skipped.Select(s => $"{s.Line},{s.Id},\"{s.Reason.Replace("\"", "\"\"")}\"")]);

    private static void WriteHistory(string path, IEnumerable<EpochRecord> history) =>
        File.WriteAllLines(path, ["epoch,train_loss,validation_loss,validation_map,learning_rate,images_per_second,seconds,validation_map_raw_weights",
            .. history.Select(h => FormattableString.Invariant($"{h.Epoch},{h.TrainLoss:F5},{h.ValidationLoss:F5},{h.ValidationMap:F5},{h.LearningRate:E3},{h.ImagesPerSecond:F1},{h.Seconds:F1},{h.RawValidationMap:F5}"))]);
}
