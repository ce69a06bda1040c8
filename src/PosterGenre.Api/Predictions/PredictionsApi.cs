using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;
using PosterGenre.Api.Serving;
using Serilog;

namespace PosterGenre.Api.Predictions;

public static class PredictionsApi
{
    /// <summary>Form part names that carry posters: "posters" (one or many) or "poster" (one).</summary>
    public static readonly string[] PartNames = ["posters", "poster"];

    public static RouteGroupBuilder MapPredictionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/predictions")
            .WithTags("Predictions")
            .DisableAntiforgery();

        group.MapPost("/", PredictAsync)
            .WithName("PredictGenres")
            .WithSummary("Predict the genres of one or more posters")
            .WithDescription("Upload posters as multipart/form-data, one file part named 'posters' per poster (or one part named 'poster'). "
                + "Each result holds all genre probabilities, the top 3 genres and the predicted set (per-genre thresholds, then 1 to 3 genres). "
                + "In a batch, a file that is not a usable image gets an error in its place; if no file is usable the answer is problem+json. "
                + "With explain=true each result also holds, for its top 3 genres, a 6 x 9 occlusion map of where in the poster the model found them (55 inferences per poster; at most PosterGenre:Uploads:MaxExplainedFiles posters, 4 by default, per request).")
            .WithMetadata(new PosterUploadForm())
            .RequireRateLimiting(LoadShedding.PolicyName)
            .Produces<PredictionResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return group;
    }

    public static async Task<Results<Ok<PredictionResponse>, ProblemHttpResult>> PredictAsync(
        HttpRequest request,
        ModelRegistry registry,
        PosterPredictor predictor,
        ServiceMetrics metrics,
        IOptions<ServingOptions> options,
        IDiagnosticContext diagnostics,
        string? model = null,
        string? explain = null,
        CancellationToken cancellationToken = default)
    {
        var limits = options.Value.Uploads;
        var explainMaps = false;
        if (explain is not null && !bool.TryParse(explain, out explainMaps))
        {
            metrics.Reject("bad-parameter");
            return Problem(StatusCodes.Status400BadRequest, "Invalid explain", $"explain is '{explain}'; it takes true or false.");
        }

        if (!registry.TryRent(model, out var lease))
        {
            metrics.Reject("unknown-model");
            return Problem(StatusCodes.Status400BadRequest, "Unknown model",
                $"There is no model named '{model}'. Loaded models: {string.Join(", ", registry.Models.Select(m => m.Name))} (see GET /api/v1/models).");
        }

        using var held = lease;
        var served = lease.Model;
        diagnostics.Set("Model", served.Name);
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            metrics.Reject("not-multipart");
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not a multipart upload",
                $"Send the posters as multipart/form-data with one file part named 'posters' per poster; the request's content type was '{request.ContentType ?? "none"}'.");
        }

        // The body's size and arrival were checked, and the body read whole, before the request
        // was admitted (UploadBuffering).
        IFormCollection form;
        try
        {
            request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
            {
                MultipartBodyLengthLimit = limits.MaxRequestBytes,
                ValueCountLimit = 64,
            }));
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            metrics.Reject("request-too-large");
            return e is InvalidDataException && !e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", $"The multipart body could not be read: {e.Message}")
                : RequestTooLarge(limits);
        }
        catch (BadHttpRequestException e)
        {
            metrics.Reject("malformed-request");
            return Problem(e.StatusCode, "Malformed request", $"The request body could not be read: {e.Message}");
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The body is read whole before this point, so this is a multipart body that ends early.
            metrics.Reject("malformed-request");
            return Problem(StatusCodes.Status400BadRequest, "Malformed multipart body", $"The multipart body ends before its closing boundary: {e.Message}");
        }

        var files = form.Files.Where(f => PartNames.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        diagnostics.Set("Files", files.Count);
        if (files.Count == 0)
        {
            metrics.Reject("no-posters");
            var found = form.Files.Count == 0 ? "no file parts" : $"file parts named {string.Join(", ", form.Files.Select(f => $"'{f.Name}'").Distinct())}";
            return Problem(StatusCodes.Status400BadRequest, "No poster uploaded",
                $"The form has {found}. Attach each poster as a file part named 'posters' (or a single one named 'poster').");
        }

        if (files.Count > limits.MaxFiles)
        {
            metrics.Reject("too-many-files");
            return Problem(StatusCodes.Status400BadRequest, "Too many files",
                $"The request has {files.Count} posters; at most {limits.MaxFiles} are accepted per request. Split them over several requests.");
        }

        if (explainMaps && files.Count > limits.MaxExplainedFiles)
        {
            metrics.Reject("too-many-explanations");
            return Problem(StatusCodes.Status400BadRequest, "Too many posters to explain",
                $"The request asks explanations for {files.Count} posters; at most {limits.MaxExplainedFiles} are explained per request (each costs 55 inferences). Send them in several requests, or without explain.");
        }

        metrics.ObserveImages(files.Count);
        var uploads = new List<PosterUpload>(files.Count);
        foreach (var file in files)
        {
            uploads.Add(await ReadAsync(file, limits, cancellationToken));
        }

        var response = predictor.Predict(served, uploads, explainMaps, limits.MaxDecodedPixelsPerRequest);
        var errors = response.Results.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
        if (errors.Count == response.Results.Count)
        {
            var status = errors.Select(e => e.Status).Distinct().Count() == 1 ? errors[0].Status : StatusCodes.Status422UnprocessableEntity;
            var detail = errors.Count == 1
                ? $"'{response.Results[0].FileName}': {errors[0].Detail}"
                : $"None of the {errors.Count} files could be used: " + string.Join(" ", response.Results.Select(r => $"'{r.FileName}': {r.Error!.Detail}"));
            return Problem(status, errors.Count == 1 ? TitleFor(errors[0]) : "No usable poster", detail, response.Results);
        }

        return TypedResults.Ok(response);
    }

    private static async Task<PosterUpload> ReadAsync(IFormFile file, UploadOptions limits, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrEmpty(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
        if (file.Length > limits.MaxFileBytes)
        {
            return new PosterUpload(name, null, new PosterError(UploadErrors.FileTooLarge,
                $"The file is {file.Length / 1048576.0:F1} MB; the limit is {limits.MaxFileBytes / 1048576.0:F1} MB per file."));
        }

        if (file.Length == 0)
        {
            return new PosterUpload(name, null, new PosterError(UploadErrors.EmptyFile, "The file is empty."));
        }

        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return new PosterUpload(name, bytes);
    }

    private static string TitleFor(PosterError error) => UploadErrors.TitleOf(error.Code);

    private static ProblemHttpResult RequestTooLarge(UploadOptions limits) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
            $"The request body is larger than {limits.MaxRequestBytes / 1048576.0:F1} MB. Send fewer or smaller posters per request.");

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyList<PosterResult>? results = null)
    {
        var extensions = results is null ? null : new Dictionary<string, object?> { ["results"] = results };
        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
