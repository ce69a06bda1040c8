using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>
/// How much prediction work the service takes on at once. Requests beyond
/// <see cref="MaxConcurrentRequests"/> wait in a queue of <see cref="MaxQueuedRequests"/>; beyond
/// that they are answered 503 with Retry-After at once, so a flood costs the service nothing
/// but the refusals, and health checks, metrics and the page stay responsive.
/// </summary>
public sealed class LoadOptions
{
    /// <summary>Prediction requests being read, decoded and scored at the same time.</summary>
    [Range(1, 4096)]
    public int MaxConcurrentRequests { get; set; } = 16;

    /// <summary>Prediction requests waiting for a turn, oldest first; 0 refuses at once when busy.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedRequests { get; set; } = 64;
}
