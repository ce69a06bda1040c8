using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;

namespace PosterGenre.Api.Serving;

/// <summary>
/// When API keys are configured (<see cref="AuthOptions"/>), a prediction, a similar-posters
/// request, anything under <c>/api/v1/catalogue</c> (GETs too: a catalogue can be private), a model
/// reload and (with <c>ProtectMetrics</c>) <c>/metrics</c> need a configured key in <c>X-Api-Key</c>; anything
/// else is answered 401 problem+json before its body is read. Keys are compared by their SHA-256
/// in constant time, so neither a key's content nor its length leaks through timing. Health,
/// the page, Swagger and the model list stay open.
/// </summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";

    public static WebApplication UseApiKeys(this WebApplication app)
    {
        // Read on first use: the settings are validated (and a bad one reported in one line) at start, after the pipeline is built.
        var settings = new Lazy<(AuthOptions Auth, byte[][] Hashes)>(() =>
        {
            var auth = app.Services.GetRequiredService<IOptions<ServingOptions>>().Value.Auth;
            return (auth, [.. auth.AllKeys().Select(Hash)]);
        });
        app.Use(async (http, next) =>
        {
            var (auth, hashes) = settings.Value;
            if (hashes.Length == 0 || !NeedsKey(http.Request, auth.ProtectMetrics) || Accepted(http.Request.Headers[Header].ToString(), hashes))
            {
                await next(http);
                return;
            }

            http.RequestServices.GetRequiredService<ServiceMetrics>().Reject("unauthorized");
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Header}\"";
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = "API key required",
                    Detail = http.Request.Headers.ContainsKey(Header)
                        ? $"The {Header} header does not hold a key this service accepts."
                        : $"This service needs an API key: send it in the {Header} header.",
                },
            });
        });
        return app;
    }

    private static bool NeedsKey(HttpRequest request, bool protectMetrics) =>
        (HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/api/v1"))
        || request.Path.StartsWithSegments("/api/v1/catalogue")
        || (protectMetrics && request.Path.StartsWithSegments("/metrics"));

    private static bool Accepted(string key, byte[][] hashes)
    {
        var candidate = Hash(key);
        var accepted = false;
        foreach (var hash in hashes)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(candidate, hash);
        }

        return accepted && key.Length > 0;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
