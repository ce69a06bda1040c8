using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>
/// How much prediction work the service takes on at once. Requests beyond
/// <see cref="ConcurrentRequests"/> wait in a queue of <see cref="MaxQueuedRequests"/>; beyond
/// that they are answered 503 with Retry-After at once, so a flood costs the service nothing
/// but the refusals, and health checks, metrics and the page stay responsive.
/// </summary>
public sealed class LoadOptions
{
    /// <summary>
    /// Prediction requests admitted at the same time (read, then waiting for or on one of the
    /// model's inference threads); 0 (the default): twice the processor count, so a request is
    /// read and queued while others are scored (docs/performance.md).
    /// </summary>
    [Range(0, 4096)]
    public int MaxConcurrentRequests { get; set; }

    /// <summary>Prediction requests waiting for a turn, oldest first; 0 refuses at once when busy.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedRequests { get; set; } = 32;

    /// <summary><see cref="MaxConcurrentRequests"/>, with 0 resolved to twice the processor count.</summary>
    public int ConcurrentRequests => MaxConcurrentRequests > 0 ? MaxConcurrentRequests : 2 * Environment.ProcessorCount;
}
