using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PosterGenre.Api.Observability;
using PosterGenre.Api.Predictions;
using PosterGenre.Api.Serving;
using PosterGenre.Catalogue;
using Serilog;

namespace PosterGenre.Api.Similar;

/// <summary>
/// Posters like this one (docs/similar.md): an uploaded poster's or a catalogue poster's nearest
/// neighbours in the configured catalogue, by the cosine similarity of the model's embeddings,
/// and the catalogue's thumbnails. With API keys configured every one of these needs a key, GETs
/// included: a catalogue can be private.
/// </summary>
public static class SimilarApi
{
    public const int DefaultNeighbours = 10;

    // An illustrative answer (values made up, the poster's genres and the list shortened) showing the shape.
    private const string SimilarExample = """
        {
          "model": { "name": "poster-genre", "version": "2.1.0" },
          "poster": { "fileName": "tt0086425.jpg", "top3": [ { "genre": "Drama", "probability": 0.77 } ], "predicted": [ "Drama" ], "elapsedMs": 21.0 },
          "neighbours": [
            { "id": "tt0084058", "fileName": "tt0084058.jpg", "score": 0.62, "genres": [ "Drama", "Romance" ], "predicted": [ "Drama", "Romance" ], "thumbnail": "/api/v1/catalogue/tt0084058/thumbnail" }
          ]
        }
        """;

    public static IEndpointRouteBuilder MapSimilarApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").WithTags("Similar posters").DisableAntiforgery();

        group.MapPost("/similar", SimilarToUploadAsync)
            .WithName("SimilarToUpload")
            .WithSummary("Posters of the catalogue that look like an uploaded one")
            .WithDescription("Upload one poster as multipart/form-data (a file part named 'poster'). The answer holds its genres and its k nearest catalogue posters "
                + "(cosine similarity of the model's embeddings), most similar first; with genre=..., only posters of that genre (their labels where the catalogue has them, else their predicted genres).")
            .WithMetadata(new PosterUploadForm("poster", Several: false, Example: SimilarExample))
            .RequireRateLimiting(LoadShedding.PolicyName)
            .Produces<SimilarResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/catalogue", DescribeAsync)
            .WithName("DescribeCatalogue")
            .WithSummary("The catalogue that similar-poster requests search: its model, size and genres")
            .Produces<CatalogueSummary>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/catalogue/{id}/similar", SimilarToCatalogueAsync)
            .WithName("SimilarToCataloguePoster")
            .WithSummary("Posters of the catalogue that look like one of its posters (never itself)")
            .Produces<SimilarResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/catalogue/{id}/thumbnail", ThumbnailAsync)
            .WithName("CataloguePosterThumbnail")
            .WithSummary("A catalogue poster's thumbnail (JPEG, 96 x 144)")
            .Produces(StatusCodes.Status200OK, contentType: "image/jpeg")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    public static async Task<Results<Ok<SimilarResponse>, ProblemHttpResult>> SimilarToUploadAsync(
        HttpRequest request,
        ServedCatalogue served,
        ModelRegistry registry,
        PosterPredictor predictor,
        ServiceMetrics metrics,
        IOptions<ServingOptions> options,
        IDiagnosticContext diagnostics,
        string? k = null,
        string? genre = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = Check(served, metrics, k, genre);
        if (parameters.Problem is { } refused)
        {
            return refused;
        }

        var catalogue = served.Catalogue!;
        if (served.ModelFor(catalogue.Identity) is not { } model || !registry.TryRent(model.Name, out var lease))
        {
            return PredictionsApi.Refuse(metrics, new("catalogue-model-mismatch", StatusCodes.Status409Conflict, "Catalogue made by another model",
                $"The catalogue was made by {catalogue.Identity.Model}, which the service no longer serves (a model was reloaded). Index the catalogue again with the served model, and restart the service with it."));
        }

        using var held = lease;
        diagnostics.Set("Model", model.Name);
        var limits = options.Value.Uploads;
        var (uploads, problem) = await PosterFormReader.ReadAsync(request, limits, cancellationToken);
        if (problem is not null)
        {
            return PredictionsApi.Refuse(metrics, problem);
        }

        if (uploads!.Count > 1)
        {
            return PredictionsApi.Refuse(metrics, new("one-poster", StatusCodes.Status400BadRequest, "One poster per request",
                $"The request has {uploads.Count} posters; POST /api/v1/similar takes one (a file part named 'poster')."));
        }

        diagnostics.Set("Files", 1);
        metrics.ObserveImages(1);
        var (response, embeddings) = predictor.Predict(lease.Model, uploads, explain: false, limits.MaxDecodedPixelsPerRequest, embed: true);
        if (embeddings[0] is not { } embedding)
        {
            return PredictionsApi.NoUsablePoster(request.HttpContext.Response, response.Results);
        }

        var neighbours = await catalogue.SearchAsync(embedding, parameters.K, parameters.Genre, cancellationToken: cancellationToken);
        return TypedResults.Ok(new SimilarResponse(response.Model, response.Results[0], null, AsNeighbours(neighbours)));
    }

    public static async Task<Results<Ok<CatalogueSummary>, ProblemHttpResult>> DescribeAsync(ServedCatalogue served, ServiceMetrics metrics, CancellationToken cancellationToken = default)
    {
        if (served.Catalogue is not { } catalogue)
        {
            return PredictionsApi.Refuse(metrics, NoCatalogue);
        }

        var identity = catalogue.Identity;
        return TypedResults.Ok(new CatalogueSummary(new ModelReference(identity.ModelName, identity.ModelVersion), await catalogue.CountAsync(cancellationToken), served.MaxNeighbours, identity.Genres));
    }

    public static async Task<Results<Ok<SimilarResponse>, ProblemHttpResult>> SimilarToCatalogueAsync(
        string id,
        ServedCatalogue served,
        ServiceMetrics metrics,
        IDiagnosticContext diagnostics,
        string? k = null,
        string? genre = null,
        CancellationToken cancellationToken = default)
    {
        var parameters = Check(served, metrics, k, genre);
        if (parameters.Problem is { } refused)
        {
            return refused;
        }

        var catalogue = served.Catalogue!;
        if (await catalogue.FindAsync(id, cancellationToken) is not { } found)
        {
            return PredictionsApi.Refuse(metrics, UnknownPoster(id));
        }

        var identity = catalogue.Identity;
        diagnostics.Set("Model", identity.ModelName);
        var neighbours = await catalogue.SearchAsync(found.Embedding, parameters.K, parameters.Genre, except: id, cancellationToken);
        return TypedResults.Ok(new SimilarResponse(new ModelReference(identity.ModelName, identity.ModelVersion), null, id, AsNeighbours(neighbours)));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ThumbnailAsync(string id, ServedCatalogue served, ServiceMetrics metrics, HttpResponse response, CancellationToken cancellationToken = default)
    {
        if (served.Catalogue is not { } catalogue)
        {
            return PredictionsApi.Refuse(metrics, NoCatalogue);
        }

        if (await catalogue.ThumbnailAsync(id, cancellationToken) is not { } jpeg)
        {
            return PredictionsApi.Refuse(metrics, UnknownPoster(id));
        }

        // Private: a catalogue behind API keys must not land in a shared cache.
        response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.File(jpeg, "image/jpeg");
    }

    /// <summary>A request's common parameters, checked: a catalogue is configured, k is in range, the genre is the catalogue's.</summary>
    private static Checked Check(ServedCatalogue served, ServiceMetrics metrics, string? k, string? genre)
    {
        if (served.Catalogue is not { } catalogue)
        {
            return Checked.Refused(PredictionsApi.Refuse(metrics, NoCatalogue));
        }

        var neighbours = DefaultNeighbours;
        if (k is not null && (!int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out neighbours) || neighbours < 1 || neighbours > served.MaxNeighbours))
        {
            return Checked.Refused(PredictionsApi.Refuse(metrics, new("bad-parameter", StatusCodes.Status400BadRequest, "Invalid k",
                $"k is '{k}'; it takes a whole number from 1 to {served.MaxNeighbours} (PosterGenre:Catalogue:MaxNeighbours).")));
        }

        string? canonical = null;
        if (genre is not null && (canonical = catalogue.Identity.Genres.FirstOrDefault(g => string.Equals(g, genre, StringComparison.OrdinalIgnoreCase))) is null)
        {
            return Checked.Refused(PredictionsApi.Refuse(metrics, new("unknown-genre", StatusCodes.Status400BadRequest, "Unknown genre",
                $"genre is '{genre}'; the catalogue's genres are {string.Join(", ", catalogue.Identity.Genres)}.")));
        }

        return Checked.Accepted(neighbours, canonical);
    }

    private static SimilarPoster[] AsNeighbours(IReadOnlyList<CatalogueNeighbour> neighbours) =>
        [.. neighbours.Select(n => new SimilarPoster(n.Poster.Id, n.Poster.FileName, n.Poster.Title, n.Score, n.Poster.Genres, n.Poster.Predicted,
            $"/api/v1/catalogue/{Uri.EscapeDataString(n.Poster.Id)}/thumbnail"))];

    private static readonly RequestProblem NoCatalogue = new("no-catalogue", StatusCodes.Status404NotFound, "No catalogue",
        "This service has no catalogue to search: index posters with postergenre-train index and set PosterGenre:Catalogue:Path or :ConnectionString (docs/similar.md).");

    private static RequestProblem UnknownPoster(string id) => new("unknown-poster", StatusCodes.Status404NotFound, "No such poster",
        $"The catalogue has no poster with id '{id}'.");

    /// <summary>Checked parameters, or the problem that refuses the request.</summary>
    private sealed record Checked(int K, string? Genre, ProblemHttpResult? Problem)
    {
        public static Checked Accepted(int k, string? genre) => new(k, genre, null);

        public static Checked Refused(ProblemHttpResult problem) => new(0, null, problem);
    }
}
