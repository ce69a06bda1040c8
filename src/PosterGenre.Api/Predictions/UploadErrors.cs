using PosterGenre.Imaging;

namespace PosterGenre.Api.Predictions;

/// <summary>The error codes of files that cannot be used, shared by results, problems and metrics.</summary>
public static class UploadErrors
{
    public const string UnsupportedFormat = "unsupported-format";
    public const string UndecodableImage = "undecodable-image";
    public const string TooManyPixels = "too-many-pixels";
    public const string FileTooLarge = "file-too-large";
    public const string EmptyFile = "empty-file";

    public static PosterError From(PosterImageException e) => new(
        e.Error switch
        {
            PosterImageError.UnsupportedFormat => UnsupportedFormat,
            PosterImageError.TooManyPixels => TooManyPixels,
            _ => UndecodableImage,
        },
        e.Message);
}
