namespace PosterGenre.Imaging;

/// <summary>Why an upload could not become model input; the API maps each to an HTTP status.</summary>
public enum PosterImageError
{
    /// <summary>The bytes are not in any image format the decoder knows (HTTP 415).</summary>
    UnsupportedFormat,

    /// <summary>The header names a known format but the pixels cannot be decoded (HTTP 422).</summary>
    Undecodable,

    /// <summary>The header declares more pixels than the configured limit (HTTP 413).</summary>
    TooManyPixels,

    /// <summary>The process's decode budget did not free up in time for the image (HTTP 503).</summary>
    DecoderBusy,
}
