using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PosterGenre.Api.Serving;

namespace PosterGenre.Api.Tests;

public sealed class ServiceTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ModelListHasTheShippedModelsAndMarksTheDefault()
    {
        var models = await factory.CreateClient().GetFromJsonAsync<List<ModelSummaryDto>>("/api/v1/models");

        Assert.Equal(["poster-genre", "poster-genre-best", "poster-genre-fast", "seed-baseline"], models?.Select(m => m.Name));
        Assert.NotNull(models);
        Assert.Equal([true, false, false, false], models.Select(m => m.IsDefault));
        Assert.StartsWith("2.", models[0].Version);
        Assert.Equal("resnet18-imagenet", models[0].Architecture);
        Assert.All(models, m => Assert.Equal(25, m.Genres.Count));
        Assert.Equal((192, 288), (models[0].Input.Width, models[0].Input.Height));
        Assert.Equal((350, 350), (models[3].Input.Width, models[3].Input.Height));
        Assert.All(models, m => Assert.InRange(m.TestMetrics!["macroRocAuc"], 0.5, 1));

        // The poster-genre models ship calibrated (the ensemble's members with one fit), the seed
        // baseline as the seed trained it; the default and the ensemble's members are int8
        // (docs/performance.md).
        Assert.Equal([true, true, true, false], models.Select(m => m.Calibrated));
        Assert.Equal(["int8", "int8", "float", "float"], models.Select(m => m.Weights));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswerHealthyJson(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadinessNamesTheLoadedModels()
    {
        using var body = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/health/ready"));

        var data = body.RootElement.GetProperty("checks").GetProperty("models").GetProperty("data");
        Assert.True(data.TryGetProperty("poster-genre", out _));
        Assert.True(data.TryGetProperty("seed-baseline", out _));
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheMultipartUpload()
    {
        using var doc = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/swagger/v1/swagger.json"));

        var post = doc.RootElement.GetProperty("paths").GetProperty("/api/v1/predictions").GetProperty("post");
        Assert.Equal("PredictGenres", post.GetProperty("operationId").GetString());
        var posters = post.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data")
            .GetProperty("schema").GetProperty("properties").GetProperty("posters");
        Assert.Equal("binary", posters.GetProperty("items").GetProperty("format").GetString());
        var responses = post.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "413", "415", "422", "503" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"response {status} is not documented");
        }
    }

    [Fact]
    public async Task MetricsEndpointCountsPredictionsAndRejections()
    {
        var client = factory.CreateClient();
        await client.PostAsync("/api/v1/predictions", Fixtures.Posters("tt0086425"));
        await client.PostAsync("/api/v1/predictions", Fixtures.Form(("posters", "a.txt", Fixtures.Image("not-an-image.txt"))));

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("postergenre_inference_seconds_count{model=\"poster-genre\"}", metrics);
        Assert.Contains("postergenre_rejected_uploads_total{reason=\"unsupported-format\"}", metrics);
        Assert.Contains("postergenre_images_per_request_bucket", metrics);
        Assert.Contains("http_request_duration_seconds", metrics);
        var committed = metrics.Split('\n').Single(l => l.StartsWith("postergenre_gc_committed_bytes ", StringComparison.Ordinal));
        Assert.InRange(double.Parse(committed.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 1e6, 1e11);
    }

    [Fact]
    public async Task UploadPageIsServedAtTheRoot()
    {
        var html = await factory.CreateClient().GetStringAsync("/");

        Assert.Contains("<title>PosterGenre", html);
        Assert.Contains("app.js", html);
    }

    [Fact]
    public async Task ThePageIsServedWithAContentSecurityPolicyAndSwaggerWithout()
    {
        var client = factory.CreateClient();

        var page = await client.GetAsync("/");
        var swagger = await client.GetAsync("/swagger/index.html");
        var answer = await client.PostAsync("/api/v1/predictions", Fixtures.Posters("tt0086425"));

        Assert.Equal(Observability.SecurityHeaders.PagePolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(swagger.Headers.Contains("Content-Security-Policy"));
        Assert.All(new[] { page, swagger, answer }, r => Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single()));
    }

    [Fact]
    public void MissingModelFileStopsTheStartNamingTheFile()
    {
        using var broken = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Models:poster-genre:Path"] = "/nowhere/missing.onnx" });

        var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("/nowhere/missing.onnx", e.Message);
    }

    [Fact]
    public void CorruptModelFileStopsTheStartNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("postergenre-corrupt-").FullName;
        try
        {
            var onnx = Path.Combine(dir, "broken.onnx");
            File.WriteAllText(onnx, "not a model");
            var shipped = factory.Services.GetRequiredService<ModelRegistry>().Default.Model.ModelPath;
            File.Copy(Path.ChangeExtension(shipped, ".json"), Path.Combine(dir, "broken.json"));
            using var broken = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Models:poster-genre:Path"] = onnx });

            var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

            Assert.Contains(onnx, e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
