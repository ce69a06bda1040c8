using Microsoft.AspNetCore.Http.HttpResults;
using PosterGenre.Api.Serving;

namespace PosterGenre.Api.ModelCatalog;

public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models").WithTags("Models");
        group.MapGet("/", ListModels)
            .WithName("ListModels")
            .WithSummary("The loaded models: name, version, genres, input size, test metrics and which one is the default");
        group.MapPost("/{name}/reload", ReloadAsync)
            .WithName("ReloadModel")
            .WithSummary("Load a model's files again: the new version is validated and swapped in, or refused while the old one keeps serving")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static async Task<Results<Ok<ReloadAnswer>, ProblemHttpResult>> ReloadAsync(string name, ModelRegistry registry)
    {
        var result = await registry.ReloadAsync(name, "reload endpoint");
        return result.Outcome switch
        {
            ReloadOutcome.UnknownModel => TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status404NotFound, title: "Unknown model"),
            ReloadOutcome.Refused => TypedResults.Problem($"The new files were refused and version {result.Served!.Manifest.Version} keeps serving: {result.Detail}",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Model files refused"),
            _ => TypedResults.Ok(new ReloadAnswer(result.Outcome.ToString().ToLowerInvariant(), result.Detail, ModelSummary.From(result.Served!))),
        };
    }

    public static Ok<IReadOnlyList<ModelSummary>> ListModels(ModelRegistry registry) =>
        TypedResults.Ok<IReadOnlyList<ModelSummary>>([.. registry.Models
            .OrderByDescending(m => m.IsDefault)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .Select(ModelSummary.From)]);
}

/// <summary>The answer to a reload: swapped or unchanged, and the model now served.</summary>
public sealed record ReloadAnswer(string Outcome, string Detail, ModelSummary Model);
