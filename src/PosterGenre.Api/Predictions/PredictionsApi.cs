using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;
using PosterGenre.Api.Serving;
using Serilog;

namespace PosterGenre.Api.Predictions;

public static class PredictionsApi
{
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
                + "With explain=true each result also holds, for its top 3 genres, a 6 x 9 occlusion map of where in the poster the model found them (55 inferences per poster; at most PosterGenre:Uploads:MaxExplainedFiles posters, 4 by default, per request, shared among an ensemble's networks).")
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
            return Refuse(metrics, new("bad-parameter", StatusCodes.Status400BadRequest, "Invalid explain", $"explain is '{explain}'; it takes true or false."));
        }

        if (!registry.TryRent(model, out var lease))
        {
            return Refuse(metrics, new("unknown-model", StatusCodes.Status400BadRequest, "Unknown model",
                $"There is no model named '{model}'. Loaded models: {string.Join(", ", registry.Models.Select(m => m.Name))} (see GET /api/v1/models)."));
        }

        using var held = lease;
        var served = lease.Model;
        diagnostics.Set("Model", served.Name);
        var (uploads, problem) = await PosterFormReader.ReadAsync(request, limits, cancellationToken);
        if (problem is not null)
        {
            return Refuse(metrics, problem);
        }

        diagnostics.Set("Files", uploads!.Count);
        var explainable = served.MaxExplainedFiles(limits.MaxExplainedFiles);
        if (explainMaps && uploads.Count > explainable)
        {
            var cost = served.Networks > 1 ? $"each costs 55 inferences of each of {served.Name}'s {served.Networks} networks" : "each costs 55 inferences";
            return Refuse(metrics, new("too-many-explanations", StatusCodes.Status400BadRequest, "Too many posters to explain",
                $"The request asks explanations for {uploads.Count} posters; at most {explainable} are explained per request with {served.Name} ({cost}). Send them in several requests, or without explain."));
        }

        metrics.ObserveImages(uploads.Count);
        var response = predictor.Predict(served, uploads, explainMaps, limits.MaxDecodedPixelsPerRequest);
        return response.Results.All(r => r.Error is not null) ? NoUsablePoster(request.HttpContext.Response, response.Results) : TypedResults.Ok(response);
    }

    /// <summary>
    /// Every file failed: one error answers with its own status and title; several with 422 unless
    /// they agree, except that a file refused only for now (the decoder was busy) makes the whole
    /// answer 503 with Retry-After, so a client that follows HTTP sends it again instead of giving up.
    /// </summary>
    internal static ProblemHttpResult NoUsablePoster(HttpResponse http, IReadOnlyList<PosterResult> results)
    {
        var errors = results.Select(r => r.Error!).ToList();
        var transient = errors.Any(e => UploadErrors.IsTransient(e.Code));
        var status = transient ? StatusCodes.Status503ServiceUnavailable
            : errors.Select(e => e.Status).Distinct().Count() == 1 ? errors[0].Status : StatusCodes.Status422UnprocessableEntity;
        var detail = errors.Count == 1
            ? $"'{results[0].FileName}': {errors[0].Detail}"
            : $"None of the {errors.Count} files could be used{(transient ? $"; some only because the decoder was busy: send the request again in {LoadShedding.RetryAfterSeconds} s" : "")}: "
              + string.Join(" ", results.Select(r => $"'{r.FileName}': {r.Error!.Detail}"));
        var title = errors.Count == 1 ? UploadErrors.TitleOf(errors[0].Code) : transient ? UploadErrors.TitleOf(UploadErrors.DecoderBusy) : "No usable poster";
        if (transient)
        {
            http.Headers.RetryAfter = LoadShedding.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["results"] = results });
    }

    /// <summary>Answers a refused request with its problem, counted by reason.</summary>
    internal static ProblemHttpResult Refuse(ServiceMetrics metrics, RequestProblem problem)
    {
        metrics.Reject(problem.Reason);
        return TypedResults.Problem(problem.Detail, statusCode: problem.Status, title: problem.Title);
    }
}
