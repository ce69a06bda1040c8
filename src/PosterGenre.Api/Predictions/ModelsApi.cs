using Microsoft.AspNetCore.Http.HttpResults;
using PosterGenre.Api.Serving;

namespace PosterGenre.Api.Predictions;

public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models").WithTags("Models");
        group.MapGet("/", ListModels)
            .WithName("ListModels")
            .WithSummary("The loaded models: name, version, genres, input size, test metrics and which one is the default");
        return group;
    }

    public static Ok<IReadOnlyList<ModelSummary>> ListModels(ModelRegistry registry) =>
        TypedResults.Ok<IReadOnlyList<ModelSummary>>([.. registry.Models
            .OrderByDescending(m => m.IsDefault)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .Select(ModelSummary.From)]);
}
