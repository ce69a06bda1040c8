using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace PosterGenre.Api.Predictions;

/// <summary>Describes the multipart poster upload in OpenAPI, so Swagger UI's "Try it out" offers a file picker.</summary>
public sealed class PosterUploadOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var form = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<PosterUploadForm>().FirstOrDefault();
        DescribeParameters(operation);
        if (form is null)
        {
            return;
        }

        var files = form.Several
            ? new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                Description = "One or more poster images (JPEG, PNG, WebP, GIF or BMP). A single file may also be sent as a part named 'poster'.",
            }
            : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "One poster image (JPEG, PNG, WebP, GIF or BMP)." };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "Posters as multipart/form-data.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { form.PartName },
                        Properties = new Dictionary<string, IOpenApiSchema> { [form.PartName] = files },
                    },
                },
            },
        };

        if (form.Example is not null && operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var json) == true)
        {
            json.Example = JsonNode.Parse(form.Example);
        }
    }

    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.Name == "explain")
            {
                // Bound as text so that a wrong value gets a problem naming it; it is a flag.
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean, Default = System.Text.Json.Nodes.JsonValue.Create(false) };
            }

            if (parameter.Name == "k")
            {
                // Bound as text for the same reason; it is a whole number.
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Default = System.Text.Json.Nodes.JsonValue.Create(10) };
            }

            parameter.Description ??= parameter.Name switch
            {
                "model" => "Model to ask (GET /api/v1/models lists them); the default model when left out.",
                "k" => "How many catalogue posters to return, most similar first: 1 to PosterGenre:Catalogue:MaxNeighbours (100); 10 when left out.",
                "genre" => "Only catalogue posters of this genre (their labels where the catalogue has them, else their predicted genres); GET /api/v1/catalogue lists the genres.",
                "id" => "A catalogue poster's id (its image's file name without extension).",
                "explain" => "Also return, for each poster's top 3 genres, where in the poster the model found them: "
                    + "6 x 9 cells, row by row from the top left, each the fall in the genre's probability when that cell is painted over.",
                _ => null,
            };
        }
    }
}
