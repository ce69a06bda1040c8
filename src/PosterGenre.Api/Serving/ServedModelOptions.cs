using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>One model to serve: its ONNX file and (optionally) its manifest.</summary>
public sealed class ServedModelOptions
{
    /// <summary>ONNX file; a relative path is taken from the application folder.</summary>
    [Required]
    public string Path { get; set; } = "";

    /// <summary>Manifest JSON; by default the model path with <c>.json</c>.</summary>
    public string? Manifest { get; set; }
}
