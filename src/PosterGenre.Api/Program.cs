using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using PosterGenre.Api.Observability;
using PosterGenre.Api.ModelCatalog;
using PosterGenre.Api.Predictions;
using PosterGenre.Api.Serving;
using PosterGenre.Api.Similar;
using Prometheus;

if (args is [HealthProbe.Argument, ..])
{
    // The container's HEALTHCHECK: the runtime image has no curl, so the service probes itself.
    return await HealthProbe.RunAsync(args.Length > 1 ? args[1] : HealthProbe.DefaultUrl);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddPosterGenreLogging();
builder.Services.AddProblemDetailsWithRequestIds();
builder.Services.AddPosterGenreModels();
builder.Services.AddPosterGenreCors();
builder.Services.AddPosterGenreLoadShedding();
builder.Services.AddSingleton<ServiceMetrics>();
builder.Services.AddSingleton<PosterPredictor>();
builder.Services.AddSingleton<ServedCatalogue>();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(o =>
{
    o.SwaggerDoc("v1", new OpenApiInfo
    {
        Title = "PosterGenre API",
        Version = "v1",
        Description = "Which of 25 genres is this movie poster? Upload posters to POST /api/v1/predictions. Which catalogue posters look like it? POST /api/v1/similar.",
    });
    o.OperationFilter<PosterUploadOperationFilter>();
    // "Authorize" in Swagger UI: the key is sent with every call; needed only when PosterGenre:Auth has keys.
    o.AddSecurityDefinition("ApiKey", new OpenApiSecurityScheme
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = ApiKeys.Header,
        Description = "Only when the service is configured with API keys (PosterGenre:Auth).",
    });
    o.AddSecurityRequirement(document => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] });
});

var app = builder.Build();

app.UseRequestIds();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UsePosterGenreRequestLogging();
app.UseSecurityHeaders();
app.UseCors();
app.UseApiKeys();
app.UseUploadBuffering("/api/v1/predictions");
app.UseUploadBuffering("/api/v1/similar");
app.UseRateLimiter();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseHttpMetrics();
app.UseSwagger();
app.UseSwaggerUI(o => o.DocumentTitle = "PosterGenre API");

app.MapPredictionsApi();
app.MapModelsApi();
app.MapSimilarApi();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponseWriter.WriteAsync });
app.MapMetrics();

try
{
    // Check the configuration and load the models before the host starts, so that a broken one stops
    // the service with one line naming what is wrong, without a stack trace. Under the integration
    // tests' host (environment "Testing") the exception leaves Main and reaches the test as it is:
    // a host that fails inside Run is disposed before WebApplicationFactory can report why.
    app.Services.GetRequiredService<ModelRegistry>().LoadAll();
    app.Services.GetRequiredService<ServedCatalogue>().Open();
    LoadShedding.ReserveThreads(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServingOptions>>().Value.Load);
}
catch (Exception e) when (IsBrokenSetting(e) && !app.Environment.IsEnvironment("Testing"))
{
    Console.Error.WriteLine($"PosterGenre cannot start: {e.Message}");
    return 1;
}

app.Run();
return 0;

// A value the checks refuse, a model file that cannot be used, or a value that is not of its
// setting's type ("Failed to convert configuration value 'x' at 'PosterGenre:...'").
static bool IsBrokenSetting(Exception e) => e is Microsoft.Extensions.Options.OptionsValidationException or InvalidDataException
    || e is InvalidOperationException && e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);

/// <summary>The web host; public so that integration tests can start it with WebApplicationFactory.</summary>
public partial class Program;
