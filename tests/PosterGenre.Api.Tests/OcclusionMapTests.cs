using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PosterGenre.Api.Serving;
using PosterGenre.Inference;

namespace PosterGenre.Api.Tests;

/// <summary>Occlusion maps: where in a poster the model found a genre (<c>?explain=true</c>).</summary>
public sealed class OcclusionMapTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private GenreModel Model => factory.Services.GetRequiredService<ModelRegistry>().Default.Model;

    [Theory]
    [InlineData(96, 144, 6, 9)]
    [InlineData(350, 350, 6, 9)]
    [InlineData(10, 7, 3, 2)]
    public void CellsTileTheInputExactlyOnce(int width, int height, int columns, int rows)
    {
        var covered = new int[width * height];
        for (var cell = 0; cell < columns * rows; cell++)
        {
            var (x0, x1, y0, y1) = OcclusionMap.Cell(cell, columns, rows, width, height);
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    covered[(y * width) + x]++;
                }
            }
        }

        Assert.All(covered, c => Assert.Equal(1, c));
    }

    [Fact]
    public void AUniformPosterHasNothingToFind()
    {
        var spec = Model.Manifest.Preprocessing;
        var plane = spec.Width * spec.Height;
        var poster = new float[spec.TensorLength];
        poster.AsSpan(0, plane).Fill(0.7f);
        poster.AsSpan(plane, plane).Fill(-0.2f);
        poster.AsSpan(2 * plane, plane).Fill(0.1f);

        var drops = OcclusionMap.Compute(Model, poster, [0, 7, 24]);

        Assert.Equal(3, drops.Length);
        Assert.All(drops, d => Assert.All(d, v => Assert.Equal(0, v, 1e-5)));
    }

    [Fact]
    public void ACellsValueIsTheFallWhenThatCellIsPaintedOver()
    {
        var model = Model;
        var spec = model.Manifest.Preprocessing;
        var poster = model.Preprocessor.ToTensor(Fixtures.Poster("tt0085154"));
        var probabilities = model.Predict([poster])[0];
        var top = GenreDecision.TopK(probabilities, 3);

        var drops = OcclusionMap.Compute(model, poster, top);

        // Painted by hand, cell by cell, with each channel's mean: the same falls.
        var plane = spec.Width * spec.Height;
        foreach (var cell in new[] { 0, 22, 53 })
        {
            var painted = (float[])poster.Clone();
            var (x0, x1, y0, y1) = OcclusionMap.Cell(cell, OcclusionMap.Columns, OcclusionMap.Rows, spec.Width, spec.Height);
            for (var c = 0; c < 3; c++)
            {
                var mean = poster.Skip(c * plane).Take(plane).Average();
                for (var y = y0; y < y1; y++)
                {
                    for (var x = x0; x < x1; x++)
                    {
                        painted[(c * plane) + (y * spec.Width) + x] = mean;
                    }
                }
            }

            var after = model.Predict([painted])[0];
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(probabilities[top[i]] - after[top[i]], drops[i][cell], 1e-5);
            }
        }

        Assert.Contains(drops.SelectMany(d => d), v => Math.Abs(v) > 1e-3);
    }

    [Fact]
    public async Task ExplainAddsAMapForEachOfTheTop3AndOnlyWhenAsked()
    {
        var client = factory.CreateClient();
        var form = Fixtures.Form(("posters", "tt0086425.jpg", Fixtures.Poster("tt0086425")), ("posters", "cut.jpg", Fixtures.Image("truncated.jpg")));

        var explained = await (await client.PostAsync("/api/v1/predictions?explain=true", form)).Content.ReadFromJsonAsync<PredictionResponseDto>();
        var plain = await (await client.PostAsync("/api/v1/predictions", Fixtures.Posters("tt0086425"))).Content.ReadFromJsonAsync<PredictionResponseDto>();

        var result = explained!.Results[0];
        Assert.NotNull(result.Explanation);
        Assert.Equal((6, 9), (result.Explanation.Columns, result.Explanation.Rows));
        Assert.Equal(result.Top3!.Select(t => t.Genre).Order(), result.Explanation.Genres.Keys.Order());
        Assert.All(result.Explanation.Genres.Values, cells => Assert.Equal(54, cells.Length));
        Assert.All(result.Explanation.Genres.Values.SelectMany(c => c), v => Assert.True(float.IsFinite(v)));
        Assert.Null(explained.Results[1].Explanation);
        Assert.NotNull(explained.Results[1].Error);
        Assert.Null(plain!.Results[0].Explanation);
        Assert.Equal(plain.Results[0].Probabilities, result.Probabilities);
    }

    [Fact]
    public async Task ConcurrentExplanationsAllFinishWhileEveryInferenceThreadIsBusy()
    {
        // Two inference threads and eight explaining requests: the occlusion runs queue for the
        // same threads that score posters, so none may wait on a thread that waits on it.
        using var two = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Onnx:MaxConcurrentInferences"] = "2", ["PosterGenre:Load:MaxConcurrentRequests"] = "8" });
        var client = two.CreateClient();
        var ids = Fixtures.Labelled.Take(2).Select(l => l.Id).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsync("/api/v1/predictions?model=poster-genre-fast&explain=true", Fixtures.Posters(ids))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
    }

    [Fact]
    public async Task ARequestMayAskExplanationsForAtMostTheConfiguredNumberOfPosters()
    {
        using var capped = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxExplainedFiles"] = "2" });
        var client = capped.CreateClient();
        var ids = Fixtures.Labelled.Take(3).Select(l => l.Id).ToArray();

        var three = await client.PostAsync("/api/v1/predictions?explain=true", Fixtures.Posters(ids));
        var two = await client.PostAsync("/api/v1/predictions?explain=true", Fixtures.Posters(ids[..2]));
        var threeWithout = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(ids));

        Assert.Equal(HttpStatusCode.BadRequest, three.StatusCode);
        Assert.Equal("application/problem+json", three.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 2 are explained", await three.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.OK, threeWithout.StatusCode);
    }

    [Fact]
    public async Task AnEnsembleSharesTheCapAmongItsNetworks()
    {
        var client = factory.CreateClient();
        var ids = Fixtures.Labelled.Take(2).Select(l => l.Id).ToArray();

        var two = await client.PostAsync("/api/v1/predictions?model=poster-genre-best&explain=true", Fixtures.Posters(ids));
        var one = await client.PostAsync("/api/v1/predictions?model=poster-genre-best&explain=true", Fixtures.Posters(ids[..1]));

        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
        Assert.Contains("at most 1 are explained per request with poster-genre-best (each costs 55 inferences of each of poster-genre-best's 3 networks)", await two.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
    }

    [Fact]
    public async Task ExplainIsDocumentedInTheOpenApiDocument()
    {
        var json = await factory.CreateClient().GetStringAsync("/swagger/v1/swagger.json");

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var explain = doc.RootElement.GetProperty("paths").GetProperty("/api/v1/predictions").GetProperty("post").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "explain");
        Assert.Equal("boolean", explain.GetProperty("schema").GetProperty("type").GetString());
        Assert.Contains("painted over", explain.GetProperty("description").GetString());
    }
}
