using PosterGenre.Api.Serving;

namespace PosterGenre.Api.ModelCatalog;

/// <summary>
/// What <c>GET /api/v1/models</c> tells about one loaded model, from its manifest. <c>Calibrated</c>:
/// its probabilities were calibrated (<c>postergenre-train calibrate</c>), so they can be read as chances.
/// <c>Weights</c>: "int8" for a quantized file (<c>postergenre-train quantize</c>), else "float".
/// </summary>
public sealed record ModelSummary(
    string Name,
    string Version,
    string Architecture,
    bool IsDefault,
    IReadOnlyList<string> Genres,
    InputDescription Input,
    string TestTimeAugmentation,
    int MinGenres,
    int MaxGenres,
    long? MacsPerPoster,
    bool Calibrated,
    string Weights,
    IReadOnlyDictionary<string, double>? TestMetrics,
    DateTimeOffset LoadedUtc)
{
    public static ModelSummary From(ServedModel model)
    {
        var m = model.Manifest;
        return new ModelSummary(
            model.Name,
            m.Version,
            m.Architecture,
            model.IsDefault,
            m.Genres,
            new InputDescription(m.Preprocessing.Width, m.Preprocessing.Height, m.Preprocessing.Resize.ToString()),
            m.TestTimeAugmentation,
            m.MinGenres,
            m.MaxGenres,
            m.MacsPerPoster,
            m.Calibration is not null,
            m.Quantization is null ? "float" : "int8",
            m.TestMetrics,
            model.LoadedUtc);
    }
}
