namespace PosterGenre.Imaging;

/// <summary>
/// Recognises image formats by their magic bytes. Used only to tell "not an image at all"
/// (UnsupportedFormat) from "an image that cannot be decoded" (Undecodable) when the decoder refuses a file.
/// </summary>
public static class ImageSniffer
{
    /// <summary>The format the leading bytes announce, or null when they announce no image format.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "jpeg";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return "png";
        }

        if (data.StartsWith("GIF8"u8))
        {
            return "gif";
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return "webp";
        }

        if (data.StartsWith("BM"u8))
        {
            return "bmp";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[(byte)'I', (byte)'I', 0x2A, 0x00])
            || data.StartsWith((ReadOnlySpan<byte>)[(byte)'M', (byte)'M', 0x00, 0x2A]))
        {
            return "tiff";
        }

        if (data.Length >= 12 && data[4..8].SequenceEqual("ftyp"u8))
        {
            return "heif";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0x00]))
        {
            return "ico";
        }

        return null;
    }
}
