namespace PosterGenre.Imaging;

/// <summary>Limits checked on the header, before any pixel is decoded.</summary>
/// <param name="MaxPixels">
/// Largest width x height accepted. The default, 40 megapixels, is far above any poster scan yet
/// keeps one decoded RGBA frame under 160 MB, so a decompression bomb is refused before it is decoded.
/// </param>
public sealed record ImageLimits(long MaxPixels = 40_000_000)
{
    public static ImageLimits Default { get; } = new();
}
