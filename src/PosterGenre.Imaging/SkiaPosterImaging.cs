using SkiaSharp;

namespace PosterGenre.Imaging;

/// <summary>SkiaSharp: <see cref="PosterDecoder"/> (scaled decoding of large JPEG and WebP files), then one bilinear draw into the target.</summary>
internal sealed class SkiaPosterImaging : IPosterImaging
{
    public static SkiaPosterImaging Instance { get; } = new();

    // Mipmapped bilinear sampling: downscaling a 300x444 poster to the input size by ~2.3x
    // without the aliasing that plain bilinear or bicubic sampling shows at that ratio.
    private static readonly SKSamplingOptions LinearMipmap = new(SKFilterMode.Linear, SKMipmapMode.Linear);
    private static readonly SKSamplingOptions Linear = new(SKFilterMode.Linear, SKMipmapMode.None);

    public ImageHeader ReadHeader(ReadOnlySpan<byte> encoded) => PosterDecoder.ReadHeader(encoded);

    public void ToRgb(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, ImageLimits limits, Span<byte> rgb)
    {
        SKBitmap resized;
        IDisposable? reservation = null;
        try
        {
            using var upright = PosterDecoder.DecodeUpright(encoded, limits, spec.Width, spec.Height, out reservation);
            resized = Resize(upright, spec);
        }
        finally
        {
            // The decoded frames are freed: their budget goes back before the copy out.
            reservation?.Dispose();
        }

        using var _ = resized;
        var rgba = resized.GetPixelSpan();
        var pixels = spec.Width * spec.Height;
        for (int p = 0, s = 0, d = 0; p < pixels; p++, s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
    }

    private static SKBitmap Resize(SKBitmap upright, PreprocessingSpec spec)
    {
        var target = new SKBitmap(new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb()));
        using var canvas = new SKCanvas(target);
        using var image = SKImage.FromBitmap(upright);
        var (sx, sy, sw, sh) = ResizeGeometry.Source(spec, upright.Width, upright.Height);
        var (dx, dy, dw, dh) = ResizeGeometry.Destination(spec, upright.Width, upright.Height);
        canvas.Clear(SKColors.Black);
        canvas.DrawImage(image, SKRect.Create(sx, sy, sw, sh), SKRect.Create(dx, dy, dw, dh), spec.Sampling == ResizeSampling.Linear ? Linear : LinearMipmap);
        canvas.Flush();
        return target;
    }
}
