using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using PosterGenre.Api.Observability;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Every configured model, loaded at start and warmed with one inference; requests share the
/// long-lived ONNX Runtime sessions. <see cref="ReloadAsync"/> loads a model's files again,
/// validates the new version (manifest, a warm-up inference whose output has one probability per
/// genre) and swaps it in atomically; requests in flight finish on the version they started with.
/// A version that fails validation is refused and the old one keeps serving.
/// </summary>
public sealed class ModelRegistry(IOptions<ServingOptions> options, ServiceMetrics metrics, ILogger<ModelRegistry> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, ServedModel> models = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim reloading = new(1, 1);
    private readonly Lazy<ImageLimits> limits = new(() =>
    {
        var uploads = options.Value.Uploads;
        var budget = new DecodeBudget(uploads.ResolvedDecodeBudgetBytes);
        logger.LogInformation("Decode budget: {Megabytes:F0} MB of decoded frames at once, waits up to {Wait} s", budget.CapacityBytes / 1048576.0, uploads.DecodeWaitSeconds);
        return new ImageLimits(uploads.MaxPixels, budget, TimeSpan.FromSeconds(uploads.DecodeWaitSeconds));
    });
    private volatile bool ready;

    public bool IsReady => ready;

    /// <summary>The process-wide bound on decoded frames that every model's decodes share.</summary>
    public DecodeBudget DecodeBudget => limits.Value.Budget!;

    public IReadOnlyCollection<ServedModel> Models => [.. models.Values];

    public ServedModel Default => models[options.Value.DefaultModel];

    /// <summary>Loads and warms every model, once; throws naming the file when one cannot be loaded.</summary>
    public void LoadAll()
    {
        if (ready)
        {
            return;
        }

        foreach (var name in options.Value.Models.Keys)
        {
            models[name] = Load(name);
        }

        ready = true;
    }

    /// <summary>The model by name (the default for none), for reading its description.</summary>
    public bool TryGet(string? name, out ServedModel model) =>
        string.IsNullOrWhiteSpace(name) ? (model = Default) is not null : models.TryGetValue(name, out model!);

    /// <summary>Holds the model's current version for one request (the default for no name).</summary>
    public bool TryRent(string? name, out ModelLease lease)
    {
        while (TryGet(name, out var model))
        {
            if (model.TryRetain())
            {
                lease = new ModelLease(model);
                return true;
            }

            // Swapped out between the lookup and the hold: take the new version.
        }

        lease = default;
        return false;
    }

    /// <summary>Loads <paramref name="name"/>'s files again and swaps the new version in if it is valid and different.</summary>
    public async Task<ReloadResult> ReloadAsync(string name, string trigger)
    {
        if (!models.TryGetValue(name, out var old))
        {
            return new ReloadResult(ReloadOutcome.UnknownModel, $"There is no model named '{name}'.", null);
        }

        await reloading.WaitAsync();
        try
        {
            old = models[name];
            ServedModel fresh;
            try
            {
                fresh = Load(name);
            }
            catch (Exception e) when (e is InvalidDataException or OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                metrics.Reload(name, "refused");
                logger.LogWarning("Reload of model {Model} ({Trigger}) refused; version {Version} keeps serving: {Reason}", name, trigger, old.Manifest.Version, e.Message);
                return new ReloadResult(ReloadOutcome.Refused, e.Message, old);
            }

            if (fresh.Fingerprint == old.Fingerprint)
            {
                fresh.Retire();
                metrics.Reload(name, "unchanged");
                return new ReloadResult(ReloadOutcome.Unchanged, "The files are the ones being served.", old);
            }

            models[name] = fresh;
            old.Retire();
            metrics.Reload(name, "swapped");
            logger.LogInformation("Reloaded model {Model} ({Trigger}): version {Old} replaced by {New}", name, trigger, old.Manifest.Version, fresh.Manifest.Version);
            return new ReloadResult(ReloadOutcome.Swapped, $"Version {old.Manifest.Version} replaced by {fresh.Manifest.Version}.", fresh);
        }
        finally
        {
            reloading.Release();
        }
    }

    public void Dispose()
    {
        foreach (var model in models.Values)
        {
            model.Retire();
        }
    }

    /// <summary>The model and manifest files of a configured model, resolved.</summary>
    public (string Model, string Manifest) FilesOf(string name)
    {
        var config = options.Value.Models[name];
        var modelPath = ServingOptions.Resolve(config.Path);
        return (modelPath, config.Manifest is null ? Path.ChangeExtension(modelPath, ".json") : ServingOptions.Resolve(config.Manifest));
    }

    private ServedModel Load(string name)
    {
        var settings = options.Value;
        var clock = Stopwatch.StartNew();
        var (modelPath, manifestPath) = FilesOf(name);
        var fingerprint = Fingerprint(modelPath, manifestPath);
        // One decode budget for the whole process: every model's preprocessing shares it.
        var model = GenreModel.Load(modelPath, manifestPath, settings.Onnx, limits.Value);
        try
        {
            var warm = model.Predict([new float[model.Manifest.Preprocessing.TensorLength]]);
            if (warm[0].Length != model.GenreCount || warm[0].Any(p => !(p >= 0 && p <= 1)))
            {
                throw new InvalidDataException($"Model file '{modelPath}' gives {warm[0].Length} outputs for the manifest's {model.GenreCount} genres, or values that are not probabilities.");
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        logger.LogInformation(
            "Loaded model {Model} {Version} from {Path} ({Input} input, {Sessions} session(s)) and warmed it in {ElapsedMs:F0} ms",
            name, model.Manifest.Version, modelPath, $"{model.Manifest.Preprocessing.Width}x{model.Manifest.Preprocessing.Height}", settings.Onnx.Sessions, clock.Elapsed.TotalMilliseconds);
        return new ServedModel(name, model, string.Equals(name, settings.DefaultModel, StringComparison.OrdinalIgnoreCase), DateTimeOffset.UtcNow, fingerprint);
    }

    private static string Fingerprint(string modelPath, string manifestPath)
    {
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(File.ReadAllBytes(modelPath));
            hash.AppendData(File.ReadAllBytes(manifestPath));
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidDataException($"Model file '{e.FileName}' does not exist.", e);
        }
    }
}

public enum ReloadOutcome
{
    Swapped,
    Unchanged,
    Refused,
    UnknownModel,
}

/// <summary>What a reload did, why, and the version now served.</summary>
public sealed record ReloadResult(ReloadOutcome Outcome, string Detail, ServedModel? Served);
