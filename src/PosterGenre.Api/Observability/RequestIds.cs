using System.Diagnostics;
using Serilog.Context;

namespace PosterGenre.Api.Observability;

/// <summary>
/// One id per request, to tie a client's answer to the service's log: the client's
/// <c>X-Request-Id</c> when it is sane (1-128 of letters, digits and <c>-_.:</c>), else the W3C
/// trace id of the request's activity (the caller's, when it sent <c>traceparent</c>). It is
/// echoed in the <c>X-Request-Id</c> header of every answer, carried by every log line of the
/// request (<c>RequestId</c>), and added to every problem+json answer (<c>requestId</c>, beside the
/// <c>traceId</c> ASP.NET Core writes).
/// </summary>
public static class RequestIds
{
    public const string Header = "X-Request-Id";
    public const int MaxLength = 128;

    /// <summary>The client's id when it is safe to log and echo; null otherwise.</summary>
    public static string? Sanitize(string? candidate) =>
        candidate is { Length: > 0 and <= MaxLength } && candidate.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? candidate
            : null;

    public static WebApplication UseRequestIds(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var id = Sanitize(context.Request.Headers[Header].ToString())
                ?? Activity.Current?.TraceId.ToHexString()
                ?? (ActivityContext.TryParse(context.Request.Headers.TraceParent.ToString(), null, out var parent) ? parent.TraceId.ToHexString() : null)
                ?? Guid.NewGuid().ToString("N");
            context.TraceIdentifier = id;
            context.Response.Headers[Header] = id;
            using (LogContext.PushProperty("RequestId", id))
            {
                await next(context);
            }
        });
        return app;
    }

    /// <summary>Adds <c>requestId</c> to every problem+json answer.</summary>
    public static IServiceCollection AddProblemDetailsWithRequestIds(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Extensions["requestId"] = c.HttpContext.TraceIdentifier);
}
