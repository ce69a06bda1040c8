namespace PosterGenre.Imaging;

/// <summary>An image that cannot be turned into model input, with a reason a person can act on.</summary>
public sealed class PosterImageException(PosterImageError error, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public PosterImageError Error { get; } = error;
}
