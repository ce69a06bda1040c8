namespace PosterGenre.Imaging;

/// <summary>One imaging library's way from encoded bytes to a poster resized to the spec, as 8-bit RGB.</summary>
internal interface IPosterImaging
{
    /// <summary>Format and upright size from the header, without decoding pixels.</summary>
    /// <exception cref="PosterImageException">The bytes are not a decodable image.</exception>
    ImageHeader ReadHeader(ReadOnlySpan<byte> encoded);

    /// <summary>
    /// Decodes upright (EXIF orientation applied, transparency over white) within
    /// <paramref name="limits"/>, resizes to the spec's size and mode, and writes HWC RGB to <paramref name="rgb"/>.
    /// </summary>
    /// <exception cref="PosterImageException">The bytes are not a usable image.</exception>
    void ToRgb(ReadOnlySpan<byte> encoded, PreprocessingSpec spec, ImageLimits limits, Span<byte> rgb);
}
