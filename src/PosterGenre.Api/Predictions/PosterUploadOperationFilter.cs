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
    }
}
