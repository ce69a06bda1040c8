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
        if (form is null)
        {
            return;
        }

        var files = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
            Description = "One or more poster images (JPEG, PNG, WebP, GIF or BMP). A single file may also be sent as a part named 'poster'.",
        };
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

        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
        {
            if (parameter.Name == "explain")
            {
                // Bound as text so that a wrong value gets a problem naming it; it is a flag.
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean, Default = System.Text.Json.Nodes.JsonValue.Create(false) };
            }

            parameter.Description ??= parameter.Name switch
            {
                "model" => "Model to ask (GET /api/v1/models lists them); the default model when left out.",
                "explain" => "Also return, for each poster's top 3 genres, where in the poster the model found them: "
                    + "6 x 9 cells, row by row from the top left, each the fall in the genre's probability when that cell is painted over.",
                _ => null,
            };
        }

                if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var json) == true)
        {
            json.Example = JsonNode.Parse(Example);
        }
    }

    // An illustrative answer (values made up, probabilities shortened to four genres) showing the shape.
    private const string Example = """
        {
          "model": { "name": "poster-genre", "version": "1.3.1" },
          "results": [
            {
              "fileName": "tt0086425.jpg",
              "probabilities": { "Action": 0.07, "Comedy": 0.61, "Drama": 0.58, "Romance": 0.22, "...": 0.0 },
              "top3": [
                { "genre": "Comedy", "probability": 0.61 },
                { "genre": "Drama", "probability": 0.58 },
                { "genre": "Romance", "probability": 0.22 }
              ],
              "predicted": [ "Comedy", "Drama" ],
              "elapsedMs": 11.4
            }
          ]
        }
        """;
}
