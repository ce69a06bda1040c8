using SkiaSharp;

namespace PosterGenre.Imaging;

/// <summary>
/// Decodes an encoded image (JPEG, PNG, WebP, GIF first frame, BMP, ...) into an upright,
/// opaque RGBA bitmap: EXIF orientation applied, alpha composited over white, grayscale and CMYK
/// converted by the codec.
/// </summary>
public static class PosterDecoder
{
    /// <summary>Reads format and size from the header without decoding pixels.</summary>
    /// <exception cref="PosterImageException">The bytes are not a decodable image.</exception>
    public static ImageHeader ReadHeader(ReadOnlySpan<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data, encoded);
        var (width, height) = OrientedSize(codec);
        return new ImageHeader(FormatName(codec.EncodedFormat), width, height);
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> after checking its header against <paramref name="limits"/>.
    /// When the image is much larger than <paramref name="targetWidth"/> x <paramref name="targetHeight"/>,
    /// codecs that can (JPEG, WebP) decode at a reduced scale that still leaves at least twice the
    /// target resolution, which bounds time and memory for large photos.
    /// </summary>
    /// <remarks>
    /// With a <see cref="ImageLimits.Budget"/>, the frames' bytes are reserved before they are
    /// allocated; the reservation is returned in <paramref name="reservation"/>, to be disposed
    /// once the caller is done with the bitmap.
    /// </remarks>
    public static SKBitmap DecodeUpright(ReadOnlySpan<byte> encoded, ImageLimits limits, int targetWidth, int targetHeight, out IDisposable? reservation)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = OpenCodec(data, encoded);
        var info = codec.Info;
        if ((long)info.Width * info.Height > limits.MaxPixels)
        {
            throw new PosterImageException(
                PosterImageError.TooManyPixels,
                $"The image is {info.Width}x{info.Height} pixels; the limit is {limits.MaxPixels:N0} pixels.");
        }

        var rotated = IsQuarterTurn(codec.EncodedOrigin);
        var (codecTargetW, codecTargetH) = rotated ? (targetHeight, targetWidth) : (targetWidth, targetHeight);
        var size = ScaledSize(codec, codecTargetW, codecTargetH);
        var decodeInfo = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb());

        // The decoded frame and its upright copy live at the same time.
        reservation = limits.Budget?.Reserve(2L * decodeInfo.BytesSize64, limits.BudgetWait);
        try
        {
            var decoded = new SKBitmap(decodeInfo);
            var result = codec.GetPixels(decodeInfo, decoded.GetPixels());
            if (result != SKCodecResult.Success)
            {
                decoded.Dispose();
                throw new PosterImageException(
                    PosterImageError.Undecodable,
                    $"The {FormatName(codec.EncodedFormat)} image could not be decoded ({Describe(result)}).");
            }

            // An opaque image stored upright (most posters) is its own upright copy: drawing it
            // over white with the identity would copy the same bytes (docs/performance.md).
            if (codec.EncodedOrigin == SKEncodedOrigin.TopLeft && codec.Info.AlphaType == SKAlphaType.Opaque)
            {
                return decoded;
            }

            using (decoded)
            {
                return Upright(decoded, codec.EncodedOrigin);
            }
        }
        catch
        {
            reservation?.Dispose();
            throw;
        }
    }

    private static SKCodec OpenCodec(SKData data, ReadOnlySpan<byte> encoded)
    {
        var codec = SKCodec.Create(new SKMemoryStream(data), out var result);
        if (codec is not null)
        {
            return codec;
        }

        var sniffed = ImageSniffer.Sniff(encoded);
        if (sniffed is null)
        {
            throw new PosterImageException(
                PosterImageError.UnsupportedFormat,
                "The file is not an image in a supported format (JPEG, PNG, WebP, GIF or BMP).");
        }

        throw new PosterImageException(
            PosterImageError.Undecodable,
            $"The file looks like {sniffed} but could not be read ({Describe(result)}).");
    }

    private static SKSizeI ScaledSize(SKCodec codec, int targetWidth, int targetHeight)
    {
        var full = codec.Info.Size;
        if (targetWidth <= 0 || targetHeight <= 0)
        {
            return full;
        }

        var scale = Math.Max(2f * targetWidth / full.Width, 2f * targetHeight / full.Height);
        if (scale >= 1f)
        {
            return full;
        }

        var scaled = codec.GetScaledDimensions(scale);
        return scaled.Width >= 2 * targetWidth && scaled.Height >= 2 * targetHeight ? scaled : full;
    }

    private static SKBitmap Upright(SKBitmap decoded, SKEncodedOrigin origin)
    {
        var (w, h) = IsQuarterTurn(origin) ? (decoded.Height, decoded.Width) : (decoded.Width, decoded.Height);
        var upright = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul, SKColorSpace.CreateSrgb()));
        using var canvas = new SKCanvas(upright);
        canvas.Clear(SKColors.White);
        canvas.SetMatrix(OriginMatrix(origin, decoded.Width, decoded.Height));
        canvas.DrawBitmap(decoded, 0, 0);
        canvas.Flush();
        return upright;
    }

    // The EXIF orientations, as the transform from the stored pixels to the upright picture.
    private static SKMatrix OriginMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
        _ => SKMatrix.Identity,
    };

    private static bool IsQuarterTurn(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    private static (int Width, int Height) OrientedSize(SKCodec codec) =>
        IsQuarterTurn(codec.EncodedOrigin) ? (codec.Info.Height, codec.Info.Width) : (codec.Info.Width, codec.Info.Height);

    private static string FormatName(SKEncodedImageFormat format) => format.ToString().ToLowerInvariant();

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated",
        SKCodecResult.ErrorInInput => "the file is corrupt",
        SKCodecResult.InvalidInput => "the data is invalid",
        SKCodecResult.Unimplemented => "this variant of the format is not supported",
        _ => result.ToString(),
    };
}
