using PosterGenre.Inference;
using PosterGenre.Training.Data;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// The earlier run a refit starts from: its split (whose train and validation posters the refit
/// trains on) and its manifest (whose thresholds and test-time augmentation the refit keeps).
/// </summary>
public sealed record RefitReference(string SplitFile, string ManifestPath, ModelManifest Manifest)
{
    /// <summary>Reads a run folder written by <c>train</c>; a folder that is not one is a <see cref="DatasetException"/>.</summary>
    public static RefitReference Load(string runDir, string[] genres, string architecture, string option = "--refit")
    {
        var split = Path.Combine(runDir, DatasetSplit.FileName);
        if (!File.Exists(split))
        {
            throw new DatasetException($"{option}: {runDir} is not a training run folder: it has no {DatasetSplit.FileName}.");
        }

        var models = Directory.GetFiles(runDir, "*.onnx");
        if (models.Length != 1)
        {
            throw new DatasetException($"{option}: {runDir} should hold exactly one .onnx model with its manifest; it holds {models.Length}.");
        }

        var manifestPath = Path.ChangeExtension(models[0], ".json");
        var manifest = ModelManifest.Load(manifestPath);
        manifest.Validate(manifestPath);
        if (!manifest.Genres.SequenceEqual(genres))
        {
            throw new DatasetException($"{option}: {manifestPath} has other genres than this dataset ({string.Join(",", manifest.Genres)} against {string.Join(",", genres)}).");
        }

        if (manifest.Architecture != architecture)
        {
            throw new DatasetException(option == "--refit"
                ? $"--refit: {manifestPath} is a {manifest.Architecture} model; refit it with --arch {manifest.Architecture} and the rest of its recipe ({manifest.TrainingCommand})."
                : $"{option}: {manifestPath} is a {manifest.Architecture} model, not {architecture}.");
        }

        return new RefitReference(split, manifestPath, manifest);
    }
}
