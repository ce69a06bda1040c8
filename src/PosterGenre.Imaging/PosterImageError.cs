namespace PosterGenre.Imaging;

/// <summary>Why an image could not become model input.</summary>
public enum PosterImageError
{
    /// <summary>The bytes are not in any image format the decoder knows.</summary>
    UnsupportedFormat,

    /// <summary>The header names a known format but the pixels cannot be decoded.</summary>
    Undecodable,

    /// <summary>The header declares more pixels than the configured limit.</summary>
    TooManyPixels,

    /// <summary>The process's decode budget did not free up in time for the image.</summary>
    DecoderBusy,
}
