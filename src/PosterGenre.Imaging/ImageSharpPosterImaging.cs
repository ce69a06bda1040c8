using System.Buffers;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace PosterGenre.Imaging;

/// <summary>
/// SixLabors.ImageSharp 2.1: the formats SkiaSharp takes here (JPEG, PNG, WebP, GIF's first frame,
/// BMP), decoded at full size (2.1 has no scaled decoding; an animated WebP, every frame), auto-oriented, composited over white,
/// then cropped or fitted as <see cref="ResizeGeometry"/> says and resized with a triangle
/// (bilinear) filter over the whole reduction.
/// </summary>
internal sealed class ImageSharpPosterImaging : IPosterImaging
{
    public static ImageSharpPosterImaging Instance { get; } = new();

    private static readonly Configuration Formats = CreateConfiguration();

    public ImageHeader ReadHeader(ReadOnlySpan<byte> encoded)
    {
        var (info, format) = Identify(encoded);
        var (width, height) = IsQuarterTurn(info) ? (info.Height, info.Width) : (info.Width, info.Height);
        return new ImageHeader(format.Name.ToLowerInvariant(), width, height);
    }

    public void ToRgb(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, ImageLimits limits, Span<byte> rgb)
    {
        var (info, format) = Identify(encoded);
        if ((long)info.Width * info.Height > limits.MaxPixels)
        {
            throw new PosterImageException(PosterImageError.TooManyPixels, $"The image is {info.Width}x{info.Height} pixels; the limit is {limits.MaxPixels:N0} pixels.");
        }

        // The decoded frame and the processors' working copy live at the same time.
        var reservation = limits.Budget?.Reserve(2L * 4 * info.Width * info.Height, limits.BudgetWait);
        Image<Rgba32> resized;
        try
        {
            using var image = Decode(encoded, format);
            image.Mutate(x => x.AutoOrient().BackgroundColor(Color.White));
            var (sx, sy, sw, sh) = ResizeGeometry.Source(spec, image.Width, image.Height);
            var (_, _, dw, dh) = ResizeGeometry.Destination(spec, image.Width, image.Height);
            var crop = Rectangle.Intersect(Rectangle.Round(new RectangleF(sx, sy, sw, sh)), image.Bounds());
            resized = image.Clone(x => x.Crop(crop).Resize(Math.Max(1, (int)MathF.Round(dw)), Math.Max(1, (int)MathF.Round(dh)), KnownResamplers.Triangle));
        }
        finally
        {
            reservation?.Dispose();
        }

        using (resized)
        {
            CopyInto(resized, spec, rgb);
        }
    }

    /// <summary>The resized pixels into the target, centred (Pad leaves black around them).</summary>
    private static void CopyInto(Image<Rgba32> resized, PreprocessingSpec spec, Span<byte> rgb)
    {
        rgb.Clear();
        var pixels = ArrayPool<Rgba32>.Shared.Rent(resized.Width * resized.Height);
        try
        {
            resized.CopyPixelDataTo(pixels.AsSpan(0, resized.Width * resized.Height));
            var left = (spec.Width - resized.Width) / 2;
            var top = (spec.Height - resized.Height) / 2;
            for (var y = 0; y < resized.Height; y++)
            {
                for (int x = 0, d = ((top + y) * spec.Width + left) * 3; x < resized.Width; x++, d += 3)
                {
                    var p = pixels[y * resized.Width + x];
                    rgb[d] = p.R;
                    rgb[d + 1] = p.G;
                    rgb[d + 2] = p.B;
                }
            }
        }
        finally
        {
            ArrayPool<Rgba32>.Shared.Return(pixels);
        }
    }

    private static (IImageInfo Info, IImageFormat Format) Identify(ReadOnlySpan<byte> encoded)
    {
        try
        {
            using var stream = new MemoryStream(encoded.ToArray(), writable: false);
            var info = Image.Identify(Formats, stream, out var format);
            if (info is not null && format is not null)
            {
                return (info, format);
            }
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw Unreadable(encoded, e.Message);
        }

        throw Unreadable(encoded, "no header the decoder knows");
    }

    private static Image<Rgba32> Decode(ReadOnlySpan<byte> encoded, IImageFormat format)
    {
        try
        {
            return Image.Load<Rgba32>(Formats, encoded);
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw new PosterImageException(PosterImageError.Undecodable, $"The {format.Name.ToLowerInvariant()} image could not be decoded ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Whatever ImageSharp 2.1 throws while reading a file, except running out of memory: besides
    /// its own format exceptions, damaged JPEGs make it throw NullReferenceException and others
    /// from inside the decoder (the mutated-file tests find them), and that is the file's fault.
    /// </summary>
    private static bool IsDecoderFailure(Exception e) => e is not (PosterImageException or OutOfMemoryException or OperationCanceledException);

    private static PosterImageException Unreadable(ReadOnlySpan<byte> encoded, string why) =>
        ImageSniffer.Sniff(encoded) is { } sniffed
            ? new PosterImageException(PosterImageError.Undecodable, $"The file looks like {sniffed} but could not be read ({why}).")
            : new PosterImageException(PosterImageError.UnsupportedFormat, "The file is not an image in a supported format (JPEG, PNG, WebP, GIF or BMP).");

    private static bool IsQuarterTurn(IImageInfo info) =>
        info.Metadata.ExifProfile?.GetValue(ExifTag.Orientation)?.Value is >= 5 and <= 8;

    /// <summary>
    /// The five formats, GIF decoding its first frame only (a many-frame GIF costs one frame).
    /// ImageSharp 2.1's WebP decoder has no such option: an animated WebP is decoded whole.
    /// </summary>
    private static Configuration CreateConfiguration()
    {
        var configuration = new Configuration(new JpegConfigurationModule(), new PngConfigurationModule(), new GifConfigurationModule(), new BmpConfigurationModule(), new WebpConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
