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

    /// <summary>
    /// Parts of the form other than posters (form values, files under other names) read before the
    /// request is refused as too-many-parts: 16. With <see cref="MaxFiles"/> it bounds the parts
    /// read at all (<see cref="MaxParts"/>), counted as they arrive, so a form of a million tiny
    /// parts costs no more than one of MaxParts.
    /// </summary>
    [Range(0, 1024)]
    public int MaxOtherParts { get; set; } = 16;

    /// <summary>Most parts a form may have: <see cref="MaxFiles"/> + <see cref="MaxOtherParts"/>.</summary>
    public int MaxParts => MaxFiles + MaxOtherParts;

    /// <summary>
    /// Longest a part's header block may be, in bytes: 16 KB (ASP.NET Core's default), some 60
    /// times the longest filename a file system allows (255 bytes); past it, 400 part-header-too-long.
    /// </summary>
    [Range(1024, 1 << 20)]
    public int MaxPartHeaderBytes { get; set; } = 16 * 1024;

    /// <summary>Most headers one part may have: 16 (ASP.NET Core's default; a file part sends 2); past it, 400 part-header-too-long.</summary>
    [Range(2, 256)]
    public int MaxPartHeaders { get; set; } = 16;

    /// <summary>Longest multipart boundary: 70 characters, RFC 2046's maximum; past it, 400 boundary-too-long.</summary>
    [Range(1, 1024)]
    public int MaxBoundaryLength { get; set; } = 70;

    /// <summary>
    /// Longest an upload may take to arrive, whole: 30 s (16 posters of 10 MB at 50 Mbit/s fit).
    /// The body is read in full before the request takes a place in the prediction queue, so a
    /// slow client holds only its own connection; past this it is answered 408.
    /// </summary>
    [Range(1, 3600)]
    public int BodyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Slowest an upload may arrive once under way, in bytes per second after a 5 s grace (Kestrel's
    /// <c>MinRequestBodyDataRate</c>; its default is 240): 4 KB/s, a poster in under a minute on the
    /// slowest mobile link. A trickle below it is cut with 408.
    /// </summary>
    [Range(1, 1L << 30)]
    public int MinBytesPerSecond { get; set; } = 4096;

    /// <summary>
    /// Most pixels (width x height, read from each header) one request may have decoded: 100
    /// million, two and a half images at the per-image limit or hundreds of posters; files past
    /// it get too-many-pixels (413) while the ones before are answered.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxDecodedPixelsPerRequest { get; set; } = 100_000_000;

    /// <summary>
    /// Bytes that decoded frames may hold at once, across all requests (a decode reserves its
    /// frames' bytes first; <see cref="PosterGenre.Imaging.DecodeBudget"/>). 0 (the default): 40% of
    /// the memory the process may use (the container's limit, else the machine's), which leaves
    /// the rest for the models, buffers and the runtime.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long DecodeBudgetBytes { get; set; }

    /// <summary>How long a decode waits for the budget before its file is answered 503 decoder-busy: 10 s.</summary>
    [Range(0, 600)]
    public int DecodeWaitSeconds { get; set; } = 10;

    /// <summary><see cref="DecodeBudgetBytes"/>, with 0 resolved from the memory the process may use.</summary>
    public long ResolvedDecodeBudgetBytes => DecodeBudgetBytes > 0 ? DecodeBudgetBytes : (long)(0.4 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);

    /// <summary>
    /// Most posters one request may ask explanations for (<c>explain=true</c> costs 55 inferences
    /// per poster): 4, about four seconds of both cores on the default model (docs/performance.md).
    /// </summary>
    [Range(1, 256)]
    public int MaxExplainedFiles { get; set; } = 4;

    /// <summary>Largest width x height, checked on the header before decoding: 40 megapixels.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 40_000_000;
}
