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
    /// Prediction requests being read, decoded and scored at the same time; 0 (the default): twice
    /// the processor count. Each holds a thread while it decodes and waits for the model's
    /// inference threads, so more than a few per core starve the thread pool that health checks
    /// and new connections need (docs/performance.md).
    /// </summary>
    [Range(0, 4096)]
    public int MaxConcurrentRequests { get; set; }

    /// <summary>Prediction requests waiting for a turn, oldest first; 0 refuses at once when busy.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedRequests { get; set; } = 32;

    /// <summary><see cref="MaxConcurrentRequests"/>, with 0 resolved to twice the processor count.</summary>
    public int ConcurrentRequests => MaxConcurrentRequests > 0 ? MaxConcurrentRequests : 2 * Environment.ProcessorCount;
}
