using System.CommandLine;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>tune</c> command: re-tunes a trained model's per-genre thresholds on the validation
/// split of its split file, with a chosen test-time augmentation, re-evaluates on the test split
/// and rewrites the manifest. The same steps <c>train</c> runs after training, without retraining.
/// </summary>
public static class TuneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model; its manifest (same path, .json) is rewritten.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder the model was trained on.", Required = true };
        var split = new Option<string>("--split") { Description = "split.csv written by train.", Required = true };
        var tta = new Option<string>("--tta") { Description = "Test-time augmentation: none or hflip.", DefaultValueFactory = _ => "none" };
        tta.AcceptOnlyFromAmong("none", "hflip");
        var command = new Command("tune", "Re-tune a model's thresholds on validation (e.g. after changing test-time augmentation) and re-evaluate on test.") { model, data, split, tta };
        command.SetAction(result => CommandSupport.Run(() => TuneCommand.Execute(result.GetValue(model)!, result.GetValue(data)!, result.GetValue(split)!, result.GetValue(tta)!, Console.Out)));
        return command;
    }

    public static int Execute(string modelPath, string dataDir, string splitFile, string testTimeAugmentation, TextWriter log)
    {
        var manifestPath = Path.ChangeExtension(modelPath, ".json");
        var manifest = ModelManifest.Load(manifestPath) with { TestTimeAugmentation = testTimeAugmentation };
        manifest.Validate(manifestPath);
        if (manifest.RefitOf is not null)
        {
            // Its validation posters were training posters: thresholds tuned on them would be too confident.
            throw new InvalidDataException($"{manifest.Name} {manifest.Version} is a refit (trained on its split's validation posters too), so its thresholds cannot be tuned on them; tune the run it refits ({manifest.RefitOf}) and refit again.");
        }

        manifest.Save(manifestPath);

        using var model = GenreModel.Load(modelPath, manifestPath);
        var dataset = PosterDataset.Load(dataDir);
        var split = DatasetSplit.Load(splitFile);
        var validation = PixelCache.Build(split.Select(dataset.Posters, SplitName.Validation), model.Preprocessor, []);
        var test = PixelCache.Build(split.Select(dataset.Posters, SplitName.Test), model.Preprocessor, []);
        var genres = manifest.Genres.Length;

        var thresholds = Thresholds.TuneForF1(
            OnnxScoring.Predict(model, validation, [.. Enumerable.Range(0, validation.Count)]), [.. validation.Posters.Select(p => p.Labels)], genres);
        var result = Evaluator.Evaluate(
            manifest.Name, manifest.Genres, OnnxScoring.Predict(model, test, [.. Enumerable.Range(0, test.Count)]), [.. test.Posters.Select(p => p.Labels)], thresholds, manifest.MinGenres, manifest.MaxGenres);

        (manifest with { Thresholds = thresholds, TestMetrics = result.AsTestMetrics(manifest.TestMetrics) }).Save(manifestPath);
        log.WriteLine($"{manifest.Name}: thresholds re-tuned on {validation.Count} validation posters with test-time augmentation '{testTimeAugmentation}'; "
            + $"test macro ROC-AUC {result.Summary["macroRocAuc"]:F3}, macro AP {result.Summary["macroAp"]:F3}, micro-F1 {result.Summary["microF1"]:F3}; wrote {manifestPath}");
        return 0;
    }
}
