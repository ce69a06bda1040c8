using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>How the service stops on SIGTERM (<c>docker stop</c>, Kubernetes): <see cref="ShutdownDrain"/>.</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// Seconds the service keeps answering after SIGTERM with readiness already 503, so a load
    /// balancer that polls it takes the replica out before it stops listening: 0 (the default)
    /// for a single container; a balancer's check interval times its unhealthy count behind one.
    /// </summary>
    [Range(0, 300)]
    public int DrainDelaySeconds { get; set; }

    /// <summary>Seconds requests in flight get to finish once the service stops listening: 20.</summary>
    [Range(1, 600)]
    public int GraceSeconds { get; set; } = 20;
}
