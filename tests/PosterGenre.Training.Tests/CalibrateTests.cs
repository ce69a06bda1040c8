using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>The <c>calibrate</c> command on a tiny trained run: what it changes in the model, and what it must not.</summary>
public sealed class CalibrateTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("postergenre-run-").FullName;

    [Fact]
    public void CalibrateBuildsTheFitIntoACopyOfTheModelAndMovesOnlyWhatTheProbabilitiesSay()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        var model = Path.Combine(output, "tiny.onnx");
        var originalBytes = File.ReadAllBytes(model);
        var calibratedDir = Path.Combine(output, "calibrated");
        var log = new StringWriter();

        var exit = CalibrateCommand.Execute(model, data.Root, null, calibratedDir, null, "postergenre-train calibrate", log, minPositivesForMacro: 2);

        Assert.Equal(0, exit);
        Assert.Equal(originalBytes, File.ReadAllBytes(model));
        Assert.Equal(File.ReadAllText(Path.Combine(output, DatasetSplit.FileName)), File.ReadAllText(Path.Combine(calibratedDir, DatasetSplit.FileName)));
        var before = ModelManifest.Load(Path.Combine(output, "tiny.json"));
        var after = ModelManifest.Load(Path.Combine(calibratedDir, "tiny.json"));
        Assert.Equal("1.0.0", before.Version);
        Assert.Equal("1.0.1", after.Version);
        Assert.NotNull(after.Calibration);
        Assert.Contains("validation posters", after.Calibration.FittedOn);
        Assert.Equal("postergenre-train calibrate", after.Calibration.Command);
        var scaling = new PlattScaling(after.Calibration.Scale, after.Calibration.Bias);
        Assert.NotEqual(PlattScaling.Identity, scaling);
        Assert.Equal(before.Thresholds.Select(t => (float)scaling.Apply(t)), after.Thresholds);
        Assert.Contains("expected calibration error", log.ToString());

        // Every poster, through the service's inference code: the calibrated file gives the fitted
        // correction of the original's probabilities, so the top 3 and the predicted set stay.
        var dataset = PosterDataset.Load(data.Root);
        using var original = GenreModel.Load(model);
        using var calibrated = GenreModel.Load(Path.Combine(calibratedDir, "tiny.onnx"));
        var cache = PixelCache.Build(dataset.Posters, original.Preprocessor, []);
        int[] all = [.. Enumerable.Range(0, cache.Count)];
        var p = OnnxScoring.Predict(original, cache, all);
        var q = OnnxScoring.Predict(calibrated, cache, all);
        for (var i = 0; i < p.Length; i++)
        {
            for (var g = 0; g < p[i].Length; g++)
            {
                Assert.Equal(scaling.Apply(p[i][g]), q[i][g], 1e-5);
            }

            Assert.Equal(GenreDecision.TopK(p[i], 3), GenreDecision.TopK(q[i], 3));
            Assert.Equal(GenreDecision.Predict(p[i], before.Thresholds, 1, 3), GenreDecision.Predict(q[i], after.Thresholds, 1, 3));
        }

        foreach (var metric in new[] { "macroRocAuc", "macroAp", "microF1", "precisionAt3" })
        {
            Assert.Equal(before.TestMetrics![metric], after.TestMetrics![metric], 6);
        }

        Assert.Equal(before.TestMetrics!["onnxParityMaxAbsDiff"], after.TestMetrics!["onnxParityMaxAbsDiff"]);
    }

    [Fact]
    public void ARefitIsCalibratedFromTheRunItRefitsAndNoModelIsCalibratedTwice()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        var refit = Path.Combine(output, "refit");
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, refit) with { RefitFrom = output }, TextWriter.Null);
        var refitModel = Path.Combine(refit, "tiny.onnx");
        var calibratedDir = Path.Combine(output, "calibrated");

        var withoutFrom = Assert.Throws<InvalidDataException>(() => CalibrateCommand.Execute(refitModel, data.Root, null, calibratedDir, "2.0.0", "", TextWriter.Null));
        Assert.Contains("is a refit", withoutFrom.Message);
        Assert.Contains("--from", withoutFrom.Message);
        var fromARefit = Assert.Throws<InvalidDataException>(() => CalibrateCommand.Execute(refitModel, data.Root, refit, calibratedDir, "2.0.0", "", TextWriter.Null));
        Assert.Contains("train-only run", fromARefit.Message);

        Assert.Equal(0, CalibrateCommand.Execute(refitModel, data.Root, output, calibratedDir, "2.0.0", "", TextWriter.Null));
        var manifest = ModelManifest.Load(Path.Combine(calibratedDir, "tiny.json"));
        Assert.Equal("2.0.0", manifest.Version);
        Assert.Contains($"from {output}", manifest.Calibration!.FittedOn);
        Assert.NotNull(manifest.RefitOf);

        var twice = Assert.Throws<InvalidDataException>(() => CalibrateCommand.Execute(Path.Combine(calibratedDir, "tiny.onnx"), data.Root, output, Path.Combine(output, "again"), null, "", TextWriter.Null));
        Assert.Contains("calibrated already", twice.Message);
    }

    [Fact]
    public void ARefitOfAnotherSeedCarriesTheRecipesFitWithFitOf()
    {
        using var data = SyntheticDataset.Create(90);
        var source = CalibratedRecipe(data, p => p with { Sampling = ResizeSampling.Linear });
        var other = Path.Combine(output, "seed-6-refit");
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, other) with { Seed = 6, RefitFrom = output }, TextWriter.Null);
        var carriedDir = Path.Combine(output, "carried");
        Assert.Equal(ResizeSampling.LinearMipmap, ModelManifest.Load(Path.Combine(other, "tiny.json")).Preprocessing.Sampling);

        Assert.Equal(0, CalibrateCommand.Execute(Path.Combine(other, "tiny.onnx"), data.Root, null, carriedDir, "1.0.1", "", TextWriter.Null, fitOf: source));

        var fit = ModelManifest.Load(source).Calibration!;
        var carriedManifest = ModelManifest.Load(Path.Combine(carriedDir, "tiny.json"));
        var carried = carriedManifest.Calibration!;
        Assert.Equal((fit.Scale, fit.Bias), (carried.Scale, carried.Bias));
        Assert.StartsWith("the fit of tiny 1.0.1, carried", carried.FittedOn);
        Assert.Equal(ResizeSampling.Linear, carriedManifest.Preprocessing.Sampling);
        Assert.Equal(ModelManifest.Load(Path.Combine(other, "tiny.json")).Preprocessing.Mean, carriedManifest.Preprocessing.Mean);
    }

    [Fact]
    public void AFitOfAnotherInputSizeIsRefused()
    {
        using var data = SyntheticDataset.Create(90);
        var source = CalibratedRecipe(data, p => p with { Width = 64 });

        var error = Assert.Throws<InvalidDataException>(() => CalibrateCommand.Execute(Path.Combine(output, "tiny.onnx"), data.Root, null, Path.Combine(output, "carried"), "1.0.1", "", TextWriter.Null, fitOf: source));

        Assert.Contains("the fit belongs to another recipe", error.Message);
    }

    /// <summary>A tiny run in <c>output</c>, calibrated into output/calibrated with its manifest's preprocessing changed as given: the manifest's path.</summary>
    private string CalibratedRecipe(SyntheticDataset data, Func<PreprocessingSpec, PreprocessingSpec> change)
    {
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        var calibratedDir = Path.Combine(output, "calibrated");
        Assert.Equal(0, CalibrateCommand.Execute(Path.Combine(output, "tiny.onnx"), data.Root, null, calibratedDir, "1.0.1", "", TextWriter.Null));
        var source = Path.Combine(calibratedDir, "tiny.json");
        var recipe = ModelManifest.Load(source);
        (recipe with { Preprocessing = change(recipe.Preprocessing) }).Save(source);
        return source;
    }

    [Fact]
    public void CalibratingInPlaceReplacesTheModelAndStillComparesWithTheOriginal()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        var model = Path.Combine(output, "tiny.onnx");
        var originalBytes = File.ReadAllBytes(model);
        var log = new StringWriter();

        Assert.Equal(0, CalibrateCommand.Execute(model, data.Root, null, output, null, "", log, minPositivesForMacro: 2));

        Assert.NotEqual(originalBytes, File.ReadAllBytes(model));
        Assert.NotNull(ModelManifest.Load(Path.Combine(output, "tiny.json")).Calibration);
        var ece = log.ToString().Split('\n').Single(l => l.TrimStart().StartsWith("ece", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEqual(ece[1], ece[3]);
    }

    [Fact]
    public void ARunOfAnotherSplitCannotCalibrateTheModel()
    {
        using var data = SyntheticDataset.Create(90);
        var other = Path.Combine(output, "other-seed");
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, other) with { Seed = 11 }, TextWriter.Null);

        var error = Assert.Throws<InvalidDataException>(() => CalibrateCommand.Execute(Path.Combine(output, "tiny.onnx"), data.Root, other, Path.Combine(output, "calibrated"), null, "", TextWriter.Null));

        Assert.Contains("other test posters", error.Message);
    }

    [Theory]
    [InlineData("1.3.0", "1.3.1")]
    [InlineData("2.0.9", "2.0.10")]
    public void TheCalibratedModelIsTheNextPatchVersion(string version, string expected) =>
        Assert.Equal(expected, CalibrateCommand.NextPatch(version));

    [Fact]
    public void AVersionThatIsNotMajorMinorPatchNeedsOneGiven() =>
        Assert.Contains("--model-version", Assert.Throws<ArgumentException>(() => CalibrateCommand.NextPatch("nightly")).Message);

    public void Dispose() => Directory.Delete(output, recursive: true);
}
