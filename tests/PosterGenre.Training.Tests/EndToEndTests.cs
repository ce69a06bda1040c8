using PosterGenre.Imaging;
using System.Text.Json;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>Train, export, evaluate and report on a tiny generated dataset, in seconds.</summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("postergenre-run-").FullName;

    [Fact]
    public void TrainWritesAVerifiedModelWithManifestMetricsAndReport()
    {
        using var data = SyntheticDataset.Create(90);
        var log = new StringWriter();

        var exit = TrainCommand.Execute(Options(data.Root), log);

        Assert.Equal(0, exit);
        foreach (var file in new[] { "tiny.onnx", "tiny.json", "metrics.json", "metrics.md", "report.html", "split.csv", "skipped.csv", "history.csv", "plots/loss.png", "plots/validation-map.png", "plots/genre-frequencies.png", "plots/genre-auc.png" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written");
        }

        var manifest = ModelManifest.Load(Path.Combine(output, "tiny.json"));
        Assert.Equal(SyntheticDataset.Genres, manifest.Genres);
        Assert.Equal(5, manifest.Thresholds.Length);
        Assert.Equal((32, 48), (manifest.Preprocessing.Width, manifest.Preprocessing.Height));
        Assert.Equal("none", manifest.TestTimeAugmentation);
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
        Assert.InRange(manifest.TestMetrics["macroRocAuc"], 0, 1);
        Assert.Contains("--epochs 2", manifest.TrainingCommand);
        Assert.Equal(90, manifest.TrainingData!.Posters);
        Assert.Equal(90, manifest.TrainingData.Train + manifest.TrainingData.Validation + manifest.TrainingData.Test);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        Assert.Equal(["tiny", "prior"], metrics.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
        Assert.Equal(2, metrics.RootElement.GetProperty("history").GetArrayLength());
        Assert.Contains("<img src=\"plots/genre-auc.png\"", File.ReadAllText(Path.Combine(output, "report.html")));
        Assert.Contains("<img src=\"plots/calibration.png\"", File.ReadAllText(Path.Combine(output, "report.html")));
    }

    [Fact]
    public void EvaluateScoresTheExportedModelOnTheSavedTestSplit()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(Options(data.Root), TextWriter.Null);
        var evaluation = Path.Combine(output, "evaluation");
        var log = new StringWriter();

        var exit = EvaluateCommand.Execute([Path.Combine(output, "tiny.onnx")], data.Root, Path.Combine(output, DatasetSplit.FileName), "test", evaluation, log, minPositivesForMacro: 2, bootstrapSamples: 50);

        Assert.Equal(0, exit);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "metrics.json")));
        var model = metrics.RootElement.GetProperty("models")[0];
        var auc = metrics.RootElement.GetProperty("intervals").GetProperty("models").GetProperty("tiny").GetProperty("macroRocAuc");
        Assert.InRange(model.GetProperty("summary").GetProperty("macroRocAuc").GetDouble(), auc.GetProperty("low").GetDouble(), auc.GetProperty("high").GetDouble());
        Assert.Contains("| tiny - prior |", log.ToString());
        var trained = ModelManifest.Load(Path.Combine(output, "tiny.json"));

        // evaluate re-decodes the posters and runs ONNX Runtime itself: it must reproduce train's test figures.
        Assert.Equal(trained.TestMetrics!["macroAp"], model.GetProperty("summary").GetProperty("macroAp").GetDouble(), 6);
        Assert.Contains("| prior |", log.ToString());
    }

    [Fact]
    public void EvaluateEnsembleScoresTheMeanOfTheModelsProbabilities()
    {
        using var data = SyntheticDataset.Create(90);
        string[] models = [Path.Combine(output, "a", "tiny.onnx"), Path.Combine(output, "b", "tiny.onnx")];
        TrainCommand.Execute(Options(data.Root) with { OutDir = Path.GetDirectoryName(models[0])! }, TextWriter.Null);
        TrainCommand.Execute(Options(data.Root) with { OutDir = Path.GetDirectoryName(models[1])!, Seed = 6 }, TextWriter.Null);
        var evaluation = Path.Combine(output, "evaluation");

        var exit = EvaluateCommand.Execute(models, data.Root, null, "all", evaluation, TextWriter.Null, minPositivesForMacro: 2, bootstrapSamples: 20, ensemble: true);

        Assert.Equal(0, exit);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "metrics.json")));
        var rows = metrics.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["tiny", "tiny #2", "mean of 2 models"], rows.Select(r => r.GetProperty("model").GetString()));
        Assert.True(File.Exists(Path.Combine(evaluation, "tiny-2-all.md")));

        // The ensemble row is the evaluation of the two models' mean probability per poster and genre.
        var dataset = PosterDataset.Load(data.Root);
        var each = models.Select(path =>
        {
            using var model = GenreModel.Load(path);
            var cache = PixelCache.Build(dataset.Posters, model.Preprocessor, []);
            return OnnxScoring.Predict(model, cache, [.. Enumerable.Range(0, cache.Count)]);
        }).ToArray();
        var mean = each[0].Select((row, i) => row.Select((p, g) => (p + each[1][i][g]) / 2).ToArray()).ToArray();
        var expected = Evaluator.Evaluate("expected", dataset.Genres, mean, [.. dataset.Posters.Select(p => p.Labels)], [.. Enumerable.Repeat(0.5f, dataset.Genres.Length)], minPositivesForMacro: 2);
        var summary = rows[2].GetProperty("summary");
        Assert.Equal(expected.Summary["macroRocAuc"], summary.GetProperty("macroRocAuc").GetDouble(), 5);
        Assert.Equal(expected.Summary["macroAp"], summary.GetProperty("macroAp").GetDouble(), 5);
        Assert.NotEqual(rows[0].GetProperty("summary").GetProperty("macroAp").GetDouble(), summary.GetProperty("macroAp").GetDouble());
    }

    [Fact]
    public void MixupAndWeightAverageTrainValidateAndExportTheAverage()
    {
        using var data = SyntheticDataset.Create(90);
        var log = new StringWriter();
        var options = Options(data.Root);

        var exit = TrainCommand.Execute(options with { Profile = options.Profile with { Mixup = 0.2, EmaDecay = 0.9 } }, log);

        Assert.Equal(0, exit);
        var history = File.ReadAllLines(Path.Combine(output, "history.csv"));
        Assert.EndsWith(",validation_map_raw_weights", history[0]);
        Assert.All(history.Skip(1), line => Assert.InRange(double.Parse(line.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture), 0, 1));
        var manifest = ModelManifest.Load(Path.Combine(output, "tiny.json"));
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
    }

    [Fact]
    public void ARunDecodedWithImageSharpSaysSoInItsManifestAndServesWithIt()
    {
        using var data = SyntheticDataset.Create(90);
        var options = Options(data.Root);

        var exit = TrainCommand.Execute(options with { Profile = options.Profile with { Decoder = ImagingLibrary.ImageSharp } }, TextWriter.Null);

        Assert.Equal(0, exit);
        var manifest = ModelManifest.Load(Path.Combine(output, "tiny.json"));
        Assert.Equal(ImagingLibrary.ImageSharp, manifest.Preprocessing.Decoder);
        Assert.Contains("\"decoder\": \"ImageSharp\"", File.ReadAllText(Path.Combine(output, "tiny.json")));
        using var model = GenreModel.Load(Path.Combine(output, "tiny.onnx"));
        Assert.Equal(ImagingLibrary.ImageSharp, model.Preprocessor.Spec.Decoder);
    }

    [Fact]
    public void LabelSmoothingReachesTheTrainingTargets()
    {
        using var data = SyntheticDataset.Create(90);
        var options = Options(data.Root);
        var smoothed = options with { OutDir = Path.Combine(output, "smoothed"), Profile = options.Profile with { LabelSmoothing = 0.5 } };

        Assert.Equal(0, TrainCommand.Execute(options, TextWriter.Null));
        Assert.Equal(0, TrainCommand.Execute(smoothed, TextWriter.Null));

        // The same seed, posters and first weights: only the targets differ, so the first epoch's
        // training loss does too (targets of 0.75 / 0.25 cannot be fitted as closely as 1 / 0).
        static double FirstLoss(string folder) => double.Parse(File.ReadAllLines(Path.Combine(folder, "history.csv"))[1].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(FirstLoss(smoothed.OutDir) > FirstLoss(output), $"smoothed {FirstLoss(smoothed.OutDir)}, plain {FirstLoss(output)}");
    }

    [Fact]
    public void RefitTrainsOnTrainAndValidationAndKeepsTheEarlierRunsThresholdsAndTestSplit()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(Options(data.Root), TextWriter.Null);
        var earlier = ModelManifest.Load(Path.Combine(output, "tiny.json"));
        var refit = Path.Combine(output, "refit");
        var log = new StringWriter();

        var exit = TrainCommand.Execute(Options(data.Root) with { OutDir = refit, RefitFrom = output }, log);

        Assert.Equal(0, exit);
        var manifest = ModelManifest.Load(Path.Combine(refit, "tiny.json"));
        Assert.Equal(earlier.TrainingData!.Train + earlier.TrainingData.Validation, manifest.TrainingData!.Train);
        Assert.Equal(0, manifest.TrainingData.Validation);
        Assert.Equal(earlier.TrainingData.Test, manifest.TrainingData.Test);
        Assert.Equal(earlier.Thresholds, manifest.Thresholds);
        Assert.Contains("postergenre-train train --epochs 2", manifest.RefitOf);
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
        Assert.Equal(File.ReadAllText(Path.Combine(output, "split.csv")), File.ReadAllText(Path.Combine(refit, "split.csv")));

        // Every epoch runs, none is validated, and the plots leave out what was not measured.
        var history = File.ReadAllLines(Path.Combine(refit, "history.csv"));
        Assert.Equal(3, history.Length);
        Assert.All(history.Skip(1), line => Assert.Equal("", line.Split(',')[3]));
        Assert.True(File.Exists(Path.Combine(refit, "plots", "loss.png")));
        Assert.False(File.Exists(Path.Combine(refit, "plots", "validation-map.png")));
        Assert.Contains("refit of", log.ToString());

        // Another architecture cannot reuse this run's thresholds.
        var other = Options(data.Root) with { OutDir = Path.Combine(output, "other"), RefitFrom = output };
        var error = Assert.Throws<DatasetException>(() => TrainCommand.Execute(other with { Profile = Recipe.For("seed-baseline") with { Width = 32, Height = 32, Epochs = 1 } }, TextWriter.Null));
        Assert.Contains("--arch poster-genre", error.Message);
    }

    [Fact]
    public void TuneRetunesATrainedRunButRefusesARefitWhoseValidationPostersWereTrainedOn()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(Options(data.Root), TextWriter.Null);
        var refit = Path.Combine(output, "refit");
        TrainCommand.Execute(Options(data.Root) with { OutDir = refit, RefitFrom = output }, TextWriter.Null);
        var split = Path.Combine(output, DatasetSplit.FileName);

        Assert.Equal(0, TuneCommand.Execute(Path.Combine(output, "tiny.onnx"), data.Root, split, "hflip", TextWriter.Null));
        var error = Assert.Throws<InvalidDataException>(() => TuneCommand.Execute(Path.Combine(refit, "tiny.onnx"), data.Root, split, "none", TextWriter.Null));
        Assert.Contains("is a refit", error.Message);
    }

    [Fact]
    public void DistillationTrainsOnTheTeachersMeanBlendedIntoTheLabels()
    {
        using var data = SyntheticDataset.Create(90);
        var first = Path.Combine(output, "teacher-a");
        var second = Path.Combine(output, "teacher-b");
        TrainCommand.Execute(Options(data.Root) with { OutDir = first }, TextWriter.Null);
        TrainCommand.Execute(Options(data.Root) with { OutDir = second, Seed = 6 }, TextWriter.Null);
        string[] teachers = [Path.Combine(first, "tiny.onnx"), Path.Combine(second, "tiny.onnx")];

        var (dataset, cache) = RawCache(data.Root, width: 32);
        var a = TeacherTargets.Compute([teachers[0]], 1, cache, dataset.Genres);
        var b = TeacherTargets.Compute([teachers[1]], 1, cache, dataset.Genres);
        var both = TeacherTargets.Compute(teachers, 0.25, cache, dataset.Genres);

        // The ensemble is the mean of its teachers, each scored as the service scores it.
        Assert.NotEqual(a.Probabilities[0], b.Probabilities[0]);
        for (var i = 0; i < cache.Count; i++)
        {
            for (var g = 0; g < dataset.Genres.Length; g++)
            {
                Assert.Equal((a.Probabilities[i][g] + b.Probabilities[i][g]) / 2, both.Probabilities[i][g], 6);
            }
        }

        using (var teacher = GenreModel.Load(teachers[0]))
        {
            Assert.Equal(OnnxScoring.Predict(teacher, cache, [3])[0], a.Probabilities[3]);
        }

        var student = Path.Combine(output, "student");
        var log = new StringWriter();
        var exit = TrainCommand.Execute(Options(data.Root) with { OutDir = student, Teachers = teachers, DistillWeight = 0.25 }, log);

        Assert.Equal(0, exit);
        Assert.Contains("distillation: targets are 0.75 x labels + 0.25 x the mean of 2 teacher(s)", log.ToString());
        Assert.Contains("validation mAP of their mean", log.ToString());
        var manifest = ModelManifest.Load(Path.Combine(student, "tiny.json"));
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
    }

    [Fact]
    public void ATeacherOfAnotherInputSizeScoresItsOwnDecodeOfThePosters()
    {
        using var data = SyntheticDataset.Create(40);
        TrainCommand.Execute(Options(data.Root), TextWriter.Null);
        var teacher = Path.Combine(output, "tiny.onnx");
        var (dataset, studentView) = RawCache(data.Root, width: 40);
        var (_, teacherView) = RawCache(data.Root, width: 32);

        var targets = TeacherTargets.Compute([teacher], 0.5, studentView, dataset.Genres);

        // The 32x48 teacher is given the posters at 32x48, not the student's 40x48 pixels.
        using var model = GenreModel.Load(teacher);
        var expected = OnnxScoring.Predict(model, teacherView, [.. Enumerable.Range(0, teacherView.Count)]);
        Assert.Equal(studentView.Count, targets.Probabilities.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], targets.Probabilities[i]);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherTargets.Compute([teacher], 0, studentView, dataset.Genres));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherTargets.Compute([teacher], 1.5, studentView, dataset.Genres));
    }

    [Fact]
    public void SameSeedReproducesTheSameSplit()
    {
        using var data = SyntheticDataset.Create(60);
        var second = Directory.CreateTempSubdirectory("postergenre-run-").FullName;
        try
        {
            TrainCommand.Execute(Options(data.Root) with { MaxBatches = 1, Profile = Options(data.Root).Profile with { Epochs = 1 } }, TextWriter.Null);
            TrainCommand.Execute(Options(data.Root) with { OutDir = second, MaxBatches = 1, Profile = Options(data.Root).Profile with { Epochs = 1 } }, TextWriter.Null);

            Assert.Equal(File.ReadAllText(Path.Combine(output, "split.csv")), File.ReadAllText(Path.Combine(second, "split.csv")));
        }
        finally
        {
            Directory.Delete(second, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(output, recursive: true);

    /// <summary>The dataset's posters decoded at <paramref name="width"/> x 48, 8-bit, as train caches them before normalising.</summary>
    private static (PosterDataset Dataset, PixelCache Cache) RawCache(string root, int width)
    {
        var dataset = PosterDataset.Load(root);
        var spec = new PreprocessingSpec { Width = width, Height = 48, Mean = [0, 0, 0], Std = [1, 1, 1] };
        return (dataset, PixelCache.Build(dataset.Posters, new PosterPreprocessor(spec), []));
    }

    private TrainOptions Options(string dataDir) => SyntheticDataset.TinyRun(dataDir, output);
}
