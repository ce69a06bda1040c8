using System.Text.Json.Serialization;

namespace PosterGenre.Imaging;

/// <summary>
/// Everything that turns a decoded poster into the model's input tensor. It is written into each
/// model's manifest by training and read back by the service, so both always agree.
/// </summary>
public sealed record PreprocessingSpec
{
    /// <summary>Input width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Input height in pixels.</summary>
    public required int Height { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<ResizeMode>))]
    public ResizeMode Resize { get; init; } = ResizeMode.Stretch;

    /// <summary>
    /// How the resize samples the poster. Manifests written before this field existed mean
    /// <see cref="ResizeSampling.LinearMipmap"/>, which is what their models trained on.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ResizeSampling>))]
    public ResizeSampling Sampling { get; init; } = ResizeSampling.LinearMipmap;

    /// <summary>
    /// The library that decodes and resizes. Manifests written before this field existed mean
    /// <see cref="ImagingLibrary.SkiaSharp"/>, which is what their models trained on.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ImagingLibrary>))]
    public ImagingLibrary Decoder { get; init; } = ImagingLibrary.SkiaSharp;

    /// <summary>Per-channel mean (R, G, B) on the 0..1 scale, subtracted before dividing by <see cref="Std"/>.</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation (R, G, B) on the 0..1 scale.</summary>
    public required float[] Std { get; init; }

    /// <summary>Tensor layout of the model input; always NCHW, RGB order.</summary>
    public string Layout { get; init; } = "NCHW-RGB";

    /// <summary>Number of floats one poster occupies in the input tensor.</summary>
    [JsonIgnore]
    public int TensorLength => 3 * Width * Height;

    /// <summary>Number of bytes of one resized RGB poster (HWC, 8 bits per channel).</summary>
    [JsonIgnore]
    public int PixelLength => 3 * Width * Height;

    /// <summary>Whether <paramref name="other"/> makes the same input from the same bytes: every field equal, mean and std value by value.</summary>
    public bool SameAs(PreprocessingSpec other) =>
        this with { Mean = other.Mean, Std = other.Std } == other && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <summary>Throws when the spec cannot describe a usable input, naming the offending field.</summary>
    public void Validate()
    {
        if (Width is < 1 or > 4096 || Height is < 1 or > 4096)
        {
            throw new ArgumentException($"Preprocessing size {Width}x{Height} is outside 1..4096.");
        }

        if (Mean is not { Length: 3 } || Std is not { Length: 3 })
        {
            throw new ArgumentException("Preprocessing mean and std must have 3 values (R, G, B).");
        }

        if (Std.Any(s => !(s > 0)))
        {
            throw new ArgumentException("Preprocessing std values must be positive.");
        }
    }
}
