using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Bounds the prediction work in flight with ASP.NET Core's concurrency limiter
/// (<c>PosterGenre:Load</c>): a request over the limit waits in a bounded queue, and one over the
/// queue gets 503 problem+json with <c>Retry-After</c>.
/// </summary>
public static class LoadShedding
{
    /// <summary>The rate-limiter policy the prediction endpoint requires.</summary>
    public const string PolicyName = "predictions";

    /// <summary>Seconds a refused client is asked to wait before trying again.</summary>
    public const int RetryAfterSeconds = 1;

    public static IServiceCollection AddPosterGenreLoadShedding(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ServingOptions>>((limiter, serving) =>
        {
            var load = serving.Value.Load;
            limiter.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            limiter.AddConcurrencyLimiter(PolicyName, o =>
            {
                o.PermitLimit = load.ConcurrentRequests;
                o.QueueLimit = load.MaxQueuedRequests;
                o.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
            limiter.OnRejected = (context, cancellationToken) => RejectAsync(context.HttpContext, load);
        });
        return services;
    }

    /// <summary>
    /// Keeps enough thread-pool threads ready that the requests allowed in flight, which hold a
    /// thread each while they decode and wait for the model's inference threads, cannot starve the
    /// rest (health probes, metrics, refusals): their limit plus two per core. Without it, health
    /// checks waited for the pool to grow under load (docs/performance.md).
    /// </summary>
    public static void ReserveThreads(LoadOptions load)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, load.ConcurrentRequests + (2 * Environment.ProcessorCount)), completionPorts);
    }

    private static async ValueTask RejectAsync(HttpContext http, LoadOptions load)
    {
        http.RequestServices.GetRequiredService<ServiceMetrics>().Reject("busy");
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service busy",
                Detail = $"The service is already working on {load.ConcurrentRequests} prediction requests with "
                    + $"{load.MaxQueuedRequests} more waiting (PosterGenre:Load). Try again in {RetryAfterSeconds} s.",
            },
        });
    }
}
