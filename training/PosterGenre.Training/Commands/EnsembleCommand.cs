using System.CommandLine;
using System.Security.Cryptography;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Export;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>ensemble</c> command: several models of the same genres and preprocessing combined into
/// one ONNX file whose probabilities are the mean of theirs (<see cref="OnnxEnsemble"/>), with a
/// manifest like any model's: the first member's thresholds and preprocessing, the members' summed
/// cost, and the members named with their SHA-256.
/// </summary>
public static class EnsembleCommand
{
    public static Command Create(string[] args)
    {
        var models = new Option<string[]>("--model") { Description = "A member's ONNX file (its manifest beside it); give two or more.", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--out") { Description = "The ensemble's ONNX file to write; its manifest is written beside it.", Required = true };
        var name = new Option<string>("--name") { Description = "The ensemble's model name.", DefaultValueFactory = _ => "poster-genre-best" };
        var version = new Option<string>("--model-version") { Description = "The ensemble's version.", DefaultValueFactory = _ => "1.0.0" };
        var data = new Option<string?>("--data") { Description = "With --split: the dataset folder whose test posters the ensemble is evaluated on, the figures written into its manifest as train writes a model's." };
        var split = new Option<string?>("--split") { Description = "With --data: the members' split.csv." };
        var command = new Command("ensemble", "Combine models into one ONNX file that averages their probabilities.") { models, output, name, version, data, split };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(data) is null) != (r.GetValue(split) is null))
            {
                r.AddError("--data and --split go together.");
            }
        });
        command.SetAction(result => CommandSupport.Run(() => Execute(result.GetValue(models)!, result.GetValue(output)!, result.GetValue(name)!, result.GetValue(version)!,
            "postergenre-train " + string.Join(' ', args.Select(CommandSupport.Quote)), Console.Out,
            result.GetValue(data) is { } folder ? (folder, result.GetValue(split)!) : null)));
        return command;
    }

    public static int Execute(IReadOnlyList<string> models, string output, string name, string version, string commandLine, TextWriter log, (string Data, string Split)? test = null)
    {
        if (models.Count < 2)
        {
            throw new ArgumentException($"--model: an ensemble needs at least two members; {models.Count} given.");
        }

        var manifests = models.Select(m => ModelManifest.Load(Path.ChangeExtension(m, ".json"))).ToList();
        var first = manifests[0];
        foreach (var (manifest, path) in manifests.Zip(models).Skip(1))
        {
            if (!manifest.Genres.SequenceEqual(first.Genres) || !manifest.Preprocessing.SameAs(first.Preprocessing) || manifest.InputName != first.InputName || manifest.OutputName != first.OutputName)
            {
                throw new ArgumentException($"--model {path}: its genres, preprocessing or input/output names differ from {models[0]}'s; members must take the same input and answer the same genres.");
            }
        }

        if (manifests.Any(m => m.TestTimeAugmentation != "none"))
        {
            throw new ArgumentException("--model: a member uses test-time augmentation, which its ONNX file does not contain; ensemble members must be plain models.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        OnnxEnsemble.Combine(models, output, first.InputName, first.OutputName, new Dictionary<string, string> { ["name"] = name, ["version"] = version, ["genres"] = string.Join(",", first.Genres) });
        var members = manifests.Zip(models, (m, path) => $"{m.Name} {m.Version} ({Path.GetFileName(path)}, sha256 {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))})").ToArray();
        var ensemble = first with
        {
            Name = name,
            Version = version,
            Architecture = $"ensemble of {models.Count}: {string.Join(", ", manifests.Select(m => m.Architecture).Distinct())}",
            MacsPerPoster = manifests.Sum(m => m.MacsPerPoster ?? 0),
            Parameters = manifests.Sum(m => m.Parameters ?? 0),
            TestMetrics = null,
            // Every member corrected by the same fit: the mean of calibrated probabilities, each
            // member's graph keeping its correction (the test figures in the manifest say how well).
            Calibration = manifests.All(m => m.Calibration is { } c && c.Scale == first.Calibration!.Scale && c.Bias == first.Calibration.Bias)
                ? first.Calibration! with { FittedOn = $"each member, with one fit: {first.Calibration!.FittedOn}" }
                : null,
            Quantization = manifests.All(m => m.Quantization is not null) ? $"members: {first.Quantization}" : null,
            RefitOf = null,
            // The members' embeddings are not combined (a catalogue is embedded by one network), and
            // no network was trained here.
            EmbeddingName = null,
            EmbeddingLength = null,
            Numerics = null,
            TrainingCommand = commandLine,
            Members = members,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        if (test is { } where)
        {
            ensemble = ensemble with { TestMetrics = Evaluate(output, ensemble, where.Data, where.Split, log) };
        }

        ensemble.Save(Path.ChangeExtension(output, ".json"));
        log.WriteLine($"wrote {output}: the mean of {models.Count} members' probabilities, {ensemble.MacsPerPoster / 1e6:F0} M MACs per poster, {new FileInfo(output).Length / 1e6:F1} MB; thresholds of {models[0]}");
        return 0;
    }

    /// <summary>The ensemble's figures on the split's test posters, as train records a model's.</summary>
    private static Dictionary<string, double> Evaluate(string output, ModelManifest manifest, string dataDir, string splitFile, TextWriter log)
    {
        manifest.Save(Path.ChangeExtension(output, ".json"));
        var dataset = PosterDataset.Load(dataDir);
        var test = DatasetSplit.Load(splitFile).Select(dataset.Posters, SplitName.Test);
        using var model = GenreModel.Load(output);
        var cache = PixelCache.Build(test, model.Preprocessor, []);
        var probabilities = OnnxScoring.Predict(model, cache, [.. Enumerable.Range(0, cache.Count)]);
        var result = Evaluator.Evaluate(manifest.Name, manifest.Genres, probabilities, [.. cache.Posters.Select(p => p.Labels)], manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres);
        log.WriteLine(FormattableString.Invariant($"test ({cache.Count} posters): macro ROC-AUC {result.Summary["macroRocAuc"]:F3}, macro AP {result.Summary["macroAp"]:F3}"));
        return result.AsTestMetrics(null);
    }
}
