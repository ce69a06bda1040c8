using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

public static class ServingExtensions
{
    /// <summary>Binds and validates <c>PosterGenre</c> options and registers the model registry, its warm-up and health check.</summary>
    public static IServiceCollection AddPosterGenreModels(this IServiceCollection services)
    {
        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<ModelWarmupService>();
        services.AddHealthChecks().AddCheck<ModelsHealthCheck>("models", tags: ["ready"]);
        return services;
    }
}
