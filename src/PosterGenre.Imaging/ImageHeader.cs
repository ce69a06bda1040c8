namespace PosterGenre.Imaging;

/// <summary>What an image's header says, read without decoding any pixel.</summary>
/// <param name="Format">Lower-case format name: jpeg, png, webp, gif, bmp, ...</param>
public sealed record ImageHeader(string Format, int Width, int Height)
{
    public long Pixels => (long)Width * Height;
}
