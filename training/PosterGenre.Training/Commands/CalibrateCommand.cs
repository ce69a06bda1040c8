using System.CommandLine;
using System.Globalization;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Export;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>calibrate</c> command: fits one scale and bias on the logits (<see cref="PlattScaling"/>)
/// on validation posters the model did not train on, builds them into a copy of the ONNX model,
/// moves the thresholds with them and re-evaluates on the test split. Rankings, top 3 and
/// predicted sets stay as they were; only what the probabilities say changes.
/// </summary>
public static class CalibrateCommand
{
    public static Command Create(string[] args)
    {
        var model = new Option<string>("--model") { Description = "ONNX model in its training run folder (manifest and split.csv beside it); left as it is unless --out is its own folder.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder the model was trained on.", Required = true };
        var from = new Option<string?>("--from") { Description = "For a refit: the run folder it refits, whose model scores the validation posters the fit uses (the refit trained on them)." };
        var output = new Option<string>("--out") { Description = "Folder for the calibrated model, its manifest and split.csv (may be the model's own folder: it is then replaced).", Required = true };
        var fitOf = new Option<string?>("--fit-of") { Description = "Instead of fitting: the manifest of a calibrated model of the same recipe whose scale and bias to apply, and whose resize sampling to serve with (an ensemble member refitted with another seed; docs/training.md, \"poster-genre-best\")." };
        var version = new Option<string?>("--model-version") { Description = "Version of the calibrated model (default: the next patch version, e.g. 1.3.0 -> 1.3.1)." };
        var command = new Command("calibrate", "Fit one scale and bias on the logits on validation posters and build them into a copy of the model, so its probabilities mean what they say; rankings, top 3 and predicted sets stay the same.")
        {
            model, data, from, fitOf, output, version,
        };
        command.SetAction(result => CommandSupport.Run(() => CalibrateCommand.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(from), result.GetValue(output)!, result.GetValue(version), "postergenre-train " + string.Join(" ", args.Select(CommandSupport.Quote)), Console.Out, fitOf: result.GetValue(fitOf))));
        return command;
    }

    public static int Execute(string modelPath, string dataDir, string? fromRun, string outDir, string? version, string commandLine, TextWriter log, int minPositivesForMacro = Evaluator.MinPositivesForMacro, string? fitOf = null)
    {
        var manifestPath = Path.ChangeExtension(modelPath, ".json");
        var manifest = ModelManifest.Load(manifestPath);
        var runDir = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var splitFile = Path.Combine(runDir, DatasetSplit.FileName);
        if (manifest.Calibration is not null)
        {
            throw new InvalidDataException($"{manifest.Name} {manifest.Version} is calibrated already (scale {manifest.Calibration.Scale:F3}, bias {manifest.Calibration.Bias:F3}); calibrate the model it was made from.");
        }

        if (manifest.TestTimeAugmentation != "none")
        {
            throw new InvalidDataException($"{manifest.Name} {manifest.Version} averages over test-time augmentation '{manifest.TestTimeAugmentation}'; calibrate works on models without it (tune --tta none first).");
        }

        if (!File.Exists(splitFile))
        {
            throw new FileNotFoundException($"calibrate needs the model's training run folder: {runDir} has no {DatasetSplit.FileName}, so its validation and test posters are unknown.");
        }

        var dataset = PosterDataset.Load(dataDir);
        var split = DatasetSplit.Load(splitFile);
        var test = split.Select(dataset.Posters, SplitName.Test);
        var source = fitOf is null ? null : ModelManifest.Load(fitOf);
        var (scaling, fittedOn, pairs, before, after) = source is null
            ? Fit(modelPath, manifest, splitFile, fromRun, dataset, dataDir, test)
            : Carried(fitOf!, source, manifest);
        var preprocessing = source is null ? manifest.Preprocessing : CarriedPreprocessing(fitOf!, source, manifest);

        // The test split scored by the original before anything is written (--out may be its own folder).
        bool[][] labels = [.. test.Select(p => p.Labels)];
        PixelCache cache;
        EvaluationResult original;
        using (var model = GenreModel.Load(modelPath, manifestPath))
        {
            cache = PixelCache.Build(test, model.Preprocessor, []);
            original = Evaluator.Evaluate(
                manifest.Name, manifest.Genres, OnnxScoring.Predict(model, cache, [.. Enumerable.Range(0, cache.Count)]), labels, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres, minPositivesForMacro);
        }

        Directory.CreateDirectory(outDir);
        var target = Path.Combine(outDir, Path.GetFileName(modelPath));
        var targetManifest = Path.ChangeExtension(target, ".json");
        OnnxCalibration.Apply(modelPath, target, manifest.OutputName, (float)scaling.Scale, (float)scaling.Bias);
        if (Path.GetFullPath(outDir) != runDir)
        {
            File.Copy(splitFile, Path.Combine(outDir, DatasetSplit.FileName), overwrite: true);
        }

        var calibrated = manifest with
        {
            Version = version ?? NextPatch(manifest.Version),
            Thresholds = [.. manifest.Thresholds.Select(t => (float)scaling.Apply(t))],
            Calibration = new ProbabilityCalibration(scaling.Scale, scaling.Bias, fittedOn, pairs, before, after, commandLine),
            Preprocessing = preprocessing,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        calibrated.Save(targetManifest);

        // The same posters through the calibrated file, as it reads them: the test figures it ships with.
        EvaluationResult result;
        using (var corrected = GenreModel.Load(target, targetManifest))
        {
            if (!preprocessing.SameAs(manifest.Preprocessing))
            {
                cache = PixelCache.Build(test, corrected.Preprocessor, []);
                log.WriteLine($"preprocessing: resize sampling {manifest.Preprocessing.Sampling} -> {preprocessing.Sampling}, carried from {fitOf}");
            }

            result = Evaluator.Evaluate(
                manifest.Name, manifest.Genres, OnnxScoring.Predict(corrected, cache, [.. Enumerable.Range(0, cache.Count)]), labels, calibrated.Thresholds, manifest.MinGenres, manifest.MaxGenres, minPositivesForMacro);
        }

        (calibrated with { TestMetrics = result.AsTestMetrics(manifest.TestMetrics) }).Save(targetManifest);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{manifest.Name}: p' = {scaling}, fitted on {fittedOn}; their expected calibration error {before:F3} -> {after:F3}"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test ({test.Count} posters), {manifest.Version} -> {calibrated.Version}:"));
        foreach (var key in new[] { "ece", "macroRocAuc", "macroAp", "microF1", "precisionAt3", "recallAt3", "meanPredicted" })
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-14} {original.Summary[key]:F4} -> {result.Summary[key]:F4}"));
        }

        log.WriteLine($"wrote {target} and {targetManifest}");
        return 0;
    }

    /// <summary>
    /// Fitted on posters the network did not train on: its own run's validation posters, or for a
    /// refit (which trained on those) the run it refits, whose thresholds it already carries.
    /// </summary>
    private static (PlattScaling Scaling, string FittedOn, int Pairs, double Before, double After) Fit(
        string modelPath, ModelManifest manifest, string splitFile, string? fromRun, PosterDataset dataset, string dataDir, IReadOnlyList<PosterRecord> test)
    {
        var (fitModel, fitSplitFile) = (modelPath, splitFile);
        if (fromRun is not null)
        {
            var reference = RefitReference.Load(fromRun, manifest.Genres, manifest.Architecture, "--from");
            if (reference.Manifest.RefitOf is not null || reference.Manifest.Calibration is not null)
            {
                throw new InvalidDataException($"--from {fromRun}: {reference.Manifest.Name} {reference.Manifest.Version} is a refit or calibrated itself; give the train-only run, whose validation posters were held out.");
            }

            (fitModel, fitSplitFile) = (Path.ChangeExtension(reference.ManifestPath, ".onnx"), reference.SplitFile);
        }
        else if (manifest.RefitOf is not null)
        {
            throw new InvalidDataException($"{manifest.Name} {manifest.Version} is a refit (trained on its split's validation posters too), so it cannot be calibrated on them; give --from <the run it refits> ({manifest.RefitOf}), or --fit-of a calibrated model of the same recipe.");
        }

        var fitSplit = DatasetSplit.Load(fitSplitFile);
        if (!test.Select(p => p.Id).SequenceEqual(fitSplit.Select(dataset.Posters, SplitName.Test).Select(p => p.Id)))
        {
            throw new InvalidDataException($"--from {fromRun}: its split has other test posters than {splitFile}; the fit must come from the same split, or it could see the model's test posters.");
        }

        var validation = fitSplit.Select(dataset.Posters, SplitName.Validation);
        if (validation.Count == 0)
        {
            throw new InvalidDataException($"{fitSplitFile} has no validation posters in {dataDir} to fit the calibration on.");
        }

        float[][] fitted;
        bool[][] fitLabels = [.. validation.Select(p => p.Labels)];
        using (var model = GenreModel.Load(fitModel))
        {
            fitted = OnnxScoring.Predict(model, PixelCache.Build(validation, model.Preprocessor, []), [.. Enumerable.Range(0, validation.Count)]);
        }

        var scaling = PlattScaling.Fit(fitted, fitLabels);
        var before = Calibration.ExpectedError(Calibration.Bins(fitted, fitLabels));
        var after = Calibration.ExpectedError(Calibration.Bins(scaling.Apply(fitted), fitLabels));
        var fittedOn = $"{validation.Count} validation posters of {fitSplitFile}, scored by {manifest.Name} {(fromRun is null ? manifest.Version : $"from {fromRun}")}";
        return (scaling, fittedOn, fitted.Length * manifest.Genres.Length, before, after);
    }

    /// <summary>The fit of another calibrated model of the same recipe and genres, applied as it is (nothing is fitted here).</summary>
    private static (PlattScaling Scaling, string FittedOn, int Pairs, double Before, double After) Carried(string fitOf, ModelManifest source, ModelManifest manifest)
    {
        if (source.Calibration is not { } fit || source.Architecture != manifest.Architecture || !source.Genres.SequenceEqual(manifest.Genres))
        {
            throw new InvalidDataException($"--fit-of {fitOf}: {source.Name} {source.Version} is not a calibrated {manifest.Architecture} model of the same genres.");
        }

        return (new PlattScaling(fit.Scale, fit.Bias), $"the fit of {source.Name} {source.Version}, carried: {fit.FittedOn}", fit.Pairs, fit.ExpectedErrorBefore, fit.ExpectedErrorAfter);
    }

    /// <summary>
    /// The recipe's resize sampling, carried with its fit (docs/training.md, "Sampling": a property of
    /// the recipe, like the calibration). The two models must read the same input (size, resize
    /// mode, decoder); the mean and std stay the model's own, measured on its training posters.
    /// </summary>
    private static PreprocessingSpec CarriedPreprocessing(string fitOf, ModelManifest source, ModelManifest manifest)
    {
        var (own, theirs) = (manifest.Preprocessing, source.Preprocessing);
        return (own.Width, own.Height, own.Resize, own.Decoder) == (theirs.Width, theirs.Height, theirs.Resize, theirs.Decoder)
            ? own with { Sampling = theirs.Sampling }
            : throw new InvalidDataException($"--fit-of {fitOf}: it reads {theirs.Width}x{theirs.Height} ({theirs.Resize}, {theirs.Decoder}), {manifest.Name} {manifest.Version} {own.Width}x{own.Height} ({own.Resize}, {own.Decoder}); the fit belongs to another recipe.");
    }

    /// <summary>"1.3.0" -> "1.3.1": other probabilities are another model version.</summary>
    internal static string NextPatch(string version)
    {
        var parts = version.Split('.');
        return parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var patch)
            ? $"{parts[0]}.{parts[1]}.{patch + 1}"
            : throw new ArgumentException($"Model version '{version}' is not major.minor.patch; give the calibrated model's version with --model-version.");
    }
}
