using System.ComponentModel.DataAnnotations;
using PosterGenre.Inference;

namespace PosterGenre.Api.Serving;

/// <summary>The <c>PosterGenre</c> configuration section.</summary>
public sealed class ServingOptions
{
    public const string Section = "PosterGenre";

    /// <summary>Name of the model used when a request names none.</summary>
    [Required]
    public string DefaultModel { get; set; } = "";

    /// <summary>Models to load at start, by name.</summary>
    public Dictionary<string, ServedModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public OnnxSessionSettings Onnx { get; set; } = new();

    public UploadOptions Uploads { get; set; } = new();

    public CrossOriginOptions Cors { get; set; } = new();

    public LoadOptions Load { get; set; } = new();

    public ShutdownOptions Shutdown { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public ReloadOptions Reload { get; set; } = new();

    public CatalogueOptions Catalogue { get; set; } = new();

    /// <summary>Resolves a configured path against the application folder.</summary>
    public static string Resolve(string path) =>
        System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(AppContext.BaseDirectory, path));
}
