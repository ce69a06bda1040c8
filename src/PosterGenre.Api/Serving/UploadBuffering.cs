using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Reads a prediction request's body in full before the request is admitted to the prediction
/// queue (<see cref="LoadShedding"/>): bounded by <c>Uploads:MaxRequestBytes</c>, by a minimum
/// data rate and by a time for the whole body (<c>Uploads:BodyTimeoutSeconds</c>). So clients that
/// trickle their uploads hold their own connections, not the inference slots that every other
/// request waits for; a stalled upload is answered 408 problem+json and logged. Small bodies are
/// buffered in memory, larger ones in a temporary file.
/// </summary>
public static class UploadBuffering
{
    private const int MemoryThreshold = 1024 * 1024;

    /// <summary>An oversize body is read and dropped up to this many times the limit before its 413.</summary>
    private const long DrainFactor = 4;

    public static WebApplication UseUploadBuffering(this WebApplication app, PathString path)
    {
        app.UseWhen(c => HttpMethods.IsPost(c.Request.Method) && c.Request.Path.StartsWithSegments(path), branch => branch.Use(BufferAsync));
        return app;
    }

    private static async Task BufferAsync(HttpContext http, RequestDelegate next)
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<ServingOptions>>().Value.Uploads;
        // The size limit is ours (ReadWithinAsync), not Kestrel's: Kestrel's reads ahead of a
        // chunked body and would fail the read instead of letting the service answer 413.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = new MinDataRate(limits.MinBytesPerSecond, TimeSpan.FromSeconds(5));
        }

        if (http.Request.ContentLength > DrainFactor * limits.MaxRequestBytes)
        {
            // Too large to be worth reading even to drop it: answered at once, the connection closed.
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"The request body is larger than {limits.MaxRequestBytes / 1048576.0:F1} MB. Send fewer or smaller posters per request.", "request-too-large");
            return;
        }

        var raw = http.Request.Body;
        if (http.Request.ContentLength <= limits.MaxRequestBytes || http.Request.ContentLength is null)
        {
            http.Request.EnableBuffering(MemoryThreshold);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits.BodyTimeoutSeconds));
        try
        {
            // WaitAsync: the answer goes out on time even from a body stream that ignores the token.
            if (!await ReadWithinAsync(http.Request.Body, raw, limits.MaxRequestBytes, timeout.Token).WaitAsync(timeout.Token))
            {
                await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, "Request too large",
                    $"The request body is larger than {limits.MaxRequestBytes / 1048576.0:F1} MB. Send fewer or smaller posters per request.", "request-too-large");
                return;
            }

            http.Request.Body.Position = 0;
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            await RefuseAsync(http, StatusCodes.Status408RequestTimeout, "Upload too slow",
                $"The upload did not arrive within {limits.BodyTimeoutSeconds} s (PosterGenre:Uploads:BodyTimeoutSeconds).", "slow-upload");
            return;
        }
        catch (IOException) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Kestrel's minimum data rate (its exception is an IOException with status 408).
            await RefuseAsync(http, StatusCodes.Status408RequestTimeout, "Upload too slow",
                $"The upload arrived slower than {limits.MinBytesPerSecond} bytes/s (PosterGenre:Uploads:MinBytesPerSecond).", "slow-upload");
            return;
        }

        await next(http);
    }

    /// <summary>
    /// Reads the body to its end; false when it is longer than <paramref name="limit"/> bytes. Past
    /// the limit the rest is read from <paramref name="raw"/> and dropped (up to
    /// <see cref="DrainFactor"/> times the limit), so that a client that sends its whole body
    /// before it reads (no <c>Expect: 100-continue</c>, as most libraries) reads the 413 rather
    /// than a connection reset.
    /// </summary>
    private static async Task<bool> ReadWithinAsync(Stream body, Stream raw, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        var source = total > limit ? raw : body;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > DrainFactor * limit)
            {
                return false;
            }

            source = total > limit ? raw : body;
        }

        return total <= limit;
    }

    private static async Task RefuseAsync(HttpContext http, int status, string title, string detail, string reason)
    {
        http.RequestServices.GetRequiredService<ServiceMetrics>().Reject(reason);
        http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UploadBuffering))
            .LogWarning("Upload refused ({Reason}): {Detail}", reason, detail);
        if (http.Response.HasStarted)
        {
            return;
        }

        http.Response.StatusCode = status;
        // The rest of the body is not awaited: the connection closes after the answer.
        http.Response.Headers.Connection = "close";
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
