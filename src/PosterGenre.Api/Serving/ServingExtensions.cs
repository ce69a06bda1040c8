using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

public static class ServingExtensions
{
    /// <summary>Binds and validates <c>PosterGenre</c> options and registers the model registry (loaded and warmed by Program before the host starts), its file watcher and health checks.</summary>
    public static IServiceCollection AddPosterGenreModels(this IServiceCollection services)
    {
        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<ModelFileWatcher>();
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        // Read without validation: the host resolves this before the service checks its settings
        // (ModelRegistry.LoadAll), which then names a bad value in one line.
        services.AddOptions<HostOptions>().Configure<IConfiguration>((host, configuration) =>
        {
            var shutdown = configuration.GetSection($"{ServingOptions.Section}:Shutdown").Get<ShutdownOptions>() ?? new();
            host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, shutdown.DrainDelaySeconds) + Math.Max(1, shutdown.GraceSeconds));
        });
        services.AddHealthChecks()
            .AddCheck<ModelsHealthCheck>("models", tags: ["ready"])
            .AddCheck<ShutdownDrain>("shutdown", tags: ["ready"]);
        return services;
    }
}
