using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

public static class CrossOriginExtensions
{
    /// <summary>
    /// Registers CORS with a default policy built from <c>PosterGenre:Cors:AllowedOrigins</c>: GET and
    /// POST, any request header, no credentials (the API uses no cookies). No origins, no policy.
    /// </summary>
    public static IServiceCollection AddPosterGenreCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<ServingOptions>>((cors, serving) =>
        {
            var origins = serving.Value.Cors.AllowedOrigins;
            if (origins.Length == 0)
            {
                return;
            }

            cors.AddDefaultPolicy(policy =>
            {
                if (origins.Contains("*"))
                {
                    policy.AllowAnyOrigin();
                }
                else
                {
                    policy.WithOrigins(origins);
                }

                policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
                    .AllowAnyHeader()
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            });
        });
        return services;
    }
}
