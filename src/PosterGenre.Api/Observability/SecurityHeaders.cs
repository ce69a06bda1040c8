namespace PosterGenre.Api.Observability;

/// <summary>
/// Response headers that keep browsers from misreading answers: <c>nosniff</c> everywhere, and a
/// content security policy for the upload page (its own scripts and styles only, posters shown
/// from <c>blob:</c> URLs, never framed). Swagger UI, which needs inline script, is left out.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        if (!context.Request.Path.StartsWithSegments("/swagger"))
        {
            headers.ContentSecurityPolicy = PagePolicy;
            headers.XFrameOptions = "DENY";
        }

        await next();
    });
}
