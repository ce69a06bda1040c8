using PosterGenre.Imaging;

namespace PosterGenre.Api.Predictions;

/// <summary>
/// The one table of why a file cannot be used: its error code (in results, problems and metrics),
/// the HTTP status it gets when it is the answer to the whole request, and the problem's title.
/// </summary>
public static class UploadErrors
{
    public const string UnsupportedFormat = "unsupported-format";
    public const string UndecodableImage = "undecodable-image";
    public const string TooManyPixels = "too-many-pixels";
    public const string FileTooLarge = "file-too-large";
    public const string EmptyFile = "empty-file";
    public const string DecoderBusy = "decoder-busy";

    private static readonly Dictionary<string, (int Status, string Title)> Table = new()
    {
        [UnsupportedFormat] = (StatusCodes.Status415UnsupportedMediaType, "Unsupported image format"),
        [UndecodableImage] = (StatusCodes.Status422UnprocessableEntity, "Image cannot be decoded"),
        [TooManyPixels] = (StatusCodes.Status413PayloadTooLarge, "Image too large"),
        [FileTooLarge] = (StatusCodes.Status413PayloadTooLarge, "File too large"),
        [EmptyFile] = (StatusCodes.Status422UnprocessableEntity, "Empty file"),
        [DecoderBusy] = (StatusCodes.Status503ServiceUnavailable, "Decoder busy"),
    };

    public static int StatusOf(string code) => Table[code].Status;

    /// <summary>Whether the same file may be answered if sent again shortly (the decoder was busy), as opposed to never.</summary>
    public static bool IsTransient(string code) => code == DecoderBusy;

    public static string TitleOf(string code) => Table[code].Title;

    public static PosterError From(PosterImageException e) => new(
        e.Error switch
        {
            PosterImageError.UnsupportedFormat => UnsupportedFormat,
            PosterImageError.TooManyPixels => TooManyPixels,
            PosterImageError.DecoderBusy => DecoderBusy,
            _ => UndecodableImage,
        },
        e.Message);
}
