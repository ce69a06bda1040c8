using System.Buffers;

namespace PosterGenre.Imaging;

/// <summary>
/// The one path from encoded poster bytes to model input, used by training and by the service:
/// decode upright, resize to the spec's size as 8-bit RGB (with the imaging library the spec
/// names), then normalise into CHW floats. Training caches the 8-bit RGB stage once per run; the
/// service runs both stages per upload.
/// </summary>
public sealed class PosterPreprocessor
{
    private readonly IPosterImaging imaging;
    private readonly float[] scale;
    private readonly float[] offset;

    public PosterPreprocessor(PreprocessingSpec spec, ImageLimits? limits = null)
    {
        spec.Validate();
        Spec = spec;
        Limits = limits ?? ImageLimits.Default;
        imaging = spec.Decoder == ImagingLibrary.ImageSharp ? ImageSharpPosterImaging.Instance : SkiaPosterImaging.Instance;

        // (v / 255 - mean) / std == v * scale + offset
        scale = [.. spec.Std.Select(s => 1f / (255f * s))];
        offset = [.. spec.Mean.Zip(spec.Std, (m, s) => -m / s)];
    }

    public PreprocessingSpec Spec { get; }

    /// <summary>Format and upright size from the header, without decoding pixels, as this preprocessor's library reads it.</summary>
    /// <exception cref="PosterImageException">The bytes are not a decodable image.</exception>
    public ImageHeader ReadHeader(ReadOnlySpan<byte> encoded) => imaging.ReadHeader(encoded);

    public ImageLimits Limits { get; }

    /// <summary>Decodes and resizes to the spec's size: HWC, RGB, 8 bits per channel.</summary>
    /// <exception cref="PosterImageException">The bytes are not a usable image.</exception>
    public byte[] ToRgb(ReadOnlySpan<byte> encoded)
    {
        var rgb = new byte[Spec.PixelLength];
        ToRgb(encoded, rgb);
        return rgb;
    }

    /// <inheritdoc cref="ToRgb(ReadOnlySpan{byte})"/>
    public void ToRgb(ReadOnlySpan<byte> encoded, Span<byte> rgb)
    {
        if (rgb.Length != Spec.PixelLength)
        {
            throw new ArgumentException($"Destination holds {rgb.Length} bytes; {Spec.PixelLength} are needed.", nameof(rgb));
        }

        imaging.ToRgb(encoded, Spec, Limits, rgb);
    }

    /// <summary>Turns resized 8-bit RGB (HWC) into normalised planar floats (CHW).</summary>
    public void Normalize(ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        var plane = Spec.Width * Spec.Height;
        if (rgb.Length != 3 * plane || chw.Length != 3 * plane)
        {
            throw new ArgumentException($"Expected {3 * plane} values in and out; got {rgb.Length} and {chw.Length}.");
        }

        for (var c = 0; c < 3; c++)
        {
            var dst = chw.Slice(c * plane, plane);
            float a = scale[c], b = offset[c];
            for (int p = 0, s = c; p < plane; p++, s += 3)
            {
                dst[p] = rgb[s] * a + b;
            }
        }
    }

    /// <summary>Encoded bytes to the model's normalised CHW input for one poster.</summary>
    public float[] ToTensor(ReadOnlySpan<byte> encoded)
    {
        var chw = new float[Spec.TensorLength];
        ToTensor(encoded, chw);
        return chw;
    }

    /// <summary>
    /// Encoded bytes to the model's normalised CHW input, written into <paramref name="chw"/>
    /// (<see cref="PreprocessingSpec.TensorLength"/> floats). The resized pixels in between live in
    /// a pooled buffer, so a poster allocates nothing on the large-object heap here (docs/performance.md).
    /// </summary>
    public void ToTensor(ReadOnlySpan<byte> encoded, Span<float> chw)
    {
        var rgb = ArrayPool<byte>.Shared.Rent(Spec.PixelLength);
        try
        {
            var pixels = rgb.AsSpan(0, Spec.PixelLength);
            ToRgb(encoded, pixels);
            Normalize(pixels, chw);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }
}
