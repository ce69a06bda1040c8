using System.Runtime.InteropServices;
using SkiaSharp;

namespace PosterGenre.Imaging;

/// <summary>
/// A small JPEG of a poster for a catalogue's answers: decoded upright and resized by the same
/// path as a model's input (<see cref="PosterPreprocessor"/>, SkiaSharp), then encoded by SkiaSharp.
/// </summary>
public static class PosterThumbnail
{
    public const int Width = 96;

    public const int Height = 144;

    private const int Quality = 80;

    private static readonly PreprocessingSpec Spec = new()
    {
        Width = Width,
        Height = Height,
        Resize = ResizeMode.Pad,
        Sampling = ResizeSampling.LinearMipmap,
        Mean = [0, 0, 0],
        Std = [1, 1, 1],
    };

    /// <summary>The poster fitted into <see cref="Width"/> x <see cref="Height"/> (black bars where its shape differs), as JPEG.</summary>
    /// <exception cref="PosterImageException">The bytes are not a usable image.</exception>
    public static byte[] Jpeg(ReadOnlySpan<byte> encoded, ImageLimits? limits = null)
    {
        var rgb = new PosterPreprocessor(Spec, limits).ToRgb(encoded);
        var rgba = new byte[Width * Height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }

        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var image = SKImage.FromPixels(info, pixels.AddrOfPinnedObject(), info.RowBytes);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, Quality);
            return data.ToArray();
        }
        finally
        {
            pixels.Free();
        }
    }
}
