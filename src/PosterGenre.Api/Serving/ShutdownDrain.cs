using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Drain on SIGTERM: readiness turns 503 at once (<see cref="IHealthCheck"/>, tagged ready), the
/// service keeps answering for <see cref="ShutdownOptions.DrainDelaySeconds"/>, then stops
/// listening and lets requests in flight finish within <see cref="ShutdownOptions.GraceSeconds"/>
/// (the host's shutdown timeout); the process then exits 0.
/// </summary>
public sealed class ShutdownDrain(IOptions<ServingOptions> options, ILogger<ShutdownDrain> log) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool draining;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(draining ? HealthCheckResult.Unhealthy("shutting down: finishing the requests in flight") : HealthCheckResult.Healthy());

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        draining = true;
        var delay = options.Value.Shutdown.DrainDelaySeconds;
        log.LogInformation("Shutting down: readiness is 503; answering for {Delay} s more, then finishing requests in flight (up to {Grace} s)", delay, options.Value.Shutdown.GraceSeconds);
        await Task.Delay(TimeSpan.FromSeconds(delay), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
