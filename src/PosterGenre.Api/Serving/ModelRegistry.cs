using System.Diagnostics;
using Microsoft.Extensions.Options;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Every configured model, loaded once at start and warmed with one inference; requests share
/// the long-lived ONNX Runtime sessions.
/// </summary>
public sealed class ModelRegistry(IOptions<ServingOptions> options, ILogger<ModelRegistry> logger) : IDisposable
{
    private readonly Dictionary<string, ServedModel> models = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool ready;

    public bool IsReady => ready;

    public IReadOnlyCollection<ServedModel> Models => models.Values;

    public ServedModel Default => models[options.Value.DefaultModel];

    /// <summary>Loads and warms every model, once; throws naming the file when one cannot be loaded.</summary>
    public void LoadAll()
    {
        if (ready)
        {
            return;
        }

        var settings = options.Value;
        var limits = new ImageLimits(settings.Uploads.MaxPixels);
        foreach (var (name, config) in settings.Models)
        {
            var clock = Stopwatch.StartNew();
            var modelPath = ServingOptions.Resolve(config.Path);
            var manifestPath = config.Manifest is null ? null : ServingOptions.Resolve(config.Manifest);
            var model = GenreModel.Load(modelPath, manifestPath, settings.Onnx);
            var served = new ServedModel(name, model, new PosterPreprocessor(model.Manifest.Preprocessing, limits), string.Equals(name, settings.DefaultModel, StringComparison.OrdinalIgnoreCase));
            model.Predict([new float[model.Manifest.Preprocessing.TensorLength]]);
            models[name] = served;
            logger.LogInformation(
                "Loaded model {Model} {Version} from {Path} ({Input} input, {Sessions} session(s)) and warmed it in {ElapsedMs:F0} ms",
                name, model.Manifest.Version, modelPath, $"{model.Manifest.Preprocessing.Width}x{model.Manifest.Preprocessing.Height}", settings.Onnx.Sessions, clock.Elapsed.TotalMilliseconds);
        }

        ready = true;
    }

    public bool TryGet(string? name, out ServedModel model)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            model = Default;
            return true;
        }

        return models.TryGetValue(name, out model!);
    }

    public void Dispose()
    {
        foreach (var model in models.Values)
        {
            model.Model.Dispose();
        }
    }
}
