using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PosterGenre.Api.Serving;

/// <summary>Ready when every configured model is loaded and warmed.</summary>
public sealed class ModelsHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = registry.Models.ToDictionary(m => m.Name, object (m) => m.Manifest.Version);
        return Task.FromResult(registry.IsReady
            ? HealthCheckResult.Healthy($"{registry.Models.Count} model(s) loaded and warmed", data)
            : HealthCheckResult.Unhealthy("models are still loading", data: data));
    }
}
