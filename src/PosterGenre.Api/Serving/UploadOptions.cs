using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>Limits on what one request may upload; every limit answers 4xx problem+json when crossed.</summary>
public sealed class UploadOptions
{
    /// <summary>Largest single file: 10 MB, several times any poster JPEG, small enough to buffer.</summary>
    [Range(1, 1L << 30)]
    public long MaxFileBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest request body: 32 MB.</summary>
    [Range(1, 1L << 31)]
    public long MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Most files in one request.</summary>
    [Range(1, 256)]
    public int MaxFiles { get; set; } = 16;

    /// <summary>Largest width x height, checked on the header before decoding: 40 megapixels.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 40_000_000;
}
