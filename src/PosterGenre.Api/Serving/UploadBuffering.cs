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

    public static WebApplication UseUploadBuffering(this WebApplication app, PathString path)
    {
        app.UseWhen(c => HttpMethods.IsPost(c.Request.Method) && c.Request.Path.StartsWithSegments(path), branch => branch.Use(BufferAsync));
        return app;
    }

    private static async Task BufferAsync(HttpContext http, RequestDelegate next)
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<ServingOptions>>().Value.Uploads;
        if (http.Request.ContentLength > limits.MaxRequestBytes)
        {
            // The endpoint answers it without reading the body.
            await next(http);
            return;
        }

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

        http.Request.EnableBuffering(MemoryThreshold);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(limits.BodyTimeoutSeconds));
        try
        {
            // WaitAsync: the answer goes out on time even from a body stream that ignores the token.
            if (!await ReadWithinAsync(http.Request.Body, limits.MaxRequestBytes, timeout.Token).WaitAsync(timeout.Token))
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

    /// <summary>Reads the body to its end; false as soon as it is longer than <paramref name="limit"/> bytes.</summary>
    private static async Task<bool> ReadWithinAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return false;
            }
        }

        return true;
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
