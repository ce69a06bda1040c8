using System.Net;
using System.Net.Http.Json;

namespace PosterGenre.Api.Tests;

public sealed class PredictionsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Endpoint = "/api/v1/predictions";

    [Fact]
    public async Task OnePosterGetsEveryGenreTheTop3AndThePredictedSet()
    {
        var response = await factory.CreateClient().PostAsync(Endpoint, Fixtures.Posters("tt0086425"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<PredictionResponseDto>();
        Assert.Equal("poster-genre", body!.Model.Name);
        var result = Assert.Single(body.Results);
        Assert.Equal("tt0086425.jpg", result.FileName);
        Assert.Null(result.Error);
        Assert.Equal(25, result.Probabilities!.Count);
        Assert.All(result.Probabilities.Values, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(3, result.Top3!.Count);
        Assert.Equal(result.Probabilities.OrderByDescending(p => p.Value).Take(3).Select(p => p.Key), result.Top3.Select(t => t.Genre));
        Assert.InRange(result.Predicted!.Count, 1, 3);
        Assert.All(result.Predicted, g => Assert.Contains(g, result.Probabilities.Keys));
        Assert.True(result.ElapsedMs > 0);
    }

    [Fact]
    public async Task SinglePartNamedPosterIsAccepted()
    {
        var form = Fixtures.Form(("poster", "one.jpg", Fixtures.Poster("tt0085154")));

        var response = await factory.CreateClient().PostAsync(Endpoint, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("one.jpg", Assert.Single((await response.Content.ReadFromJsonAsync<PredictionResponseDto>())!.Results).FileName);
    }

    [Fact]
    public async Task BatchAnswersEveryPosterInUploadOrderAsSingleUploadsDo()
    {
        var ids = Fixtures.Labelled.Select(p => p.Id).ToArray();
        var client = factory.CreateClient();

        var batch = await (await client.PostAsync(Endpoint, Fixtures.Posters(ids))).Content.ReadFromJsonAsync<PredictionResponseDto>();

        Assert.Equal(ids.Select(id => id + ".jpg"), batch!.Results.Select(r => r.FileName));
        foreach (var (id, result) in ids.Zip(batch.Results))
        {
            var single = await (await client.PostAsync(Endpoint, Fixtures.Posters(id))).Content.ReadFromJsonAsync<PredictionResponseDto>();
            Assert.Equal(single!.Results[0].Predicted, result.Predicted);
            Assert.Equal(single.Results[0].Probabilities!["Drama"], result.Probabilities!["Drama"], 5);
        }
    }

    [Fact]
    public async Task APosterAnsweredAfterOthersGetsItsFirstAnswerExactly()
    {
        // The input tensors are pooled: later requests reuse the ones earlier posters filled,
        // including one whose decode failed part-way.
        var client = factory.CreateClient();
        var first = await (await client.PostAsync(Endpoint, Fixtures.Posters("tt0086425"))).Content.ReadFromJsonAsync<PredictionResponseDto>();
        var others = Fixtures.Form(
            ("posters", "other.jpg", Fixtures.Poster("tt0085549")),
            ("posters", "truncated.jpg", Fixtures.Image("truncated.jpg")),
            ("posters", "another.jpg", Fixtures.Poster("tt0084058")));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Endpoint, others)).StatusCode);

        var again = await (await client.PostAsync(Endpoint, Fixtures.Posters("tt0086425"))).Content.ReadFromJsonAsync<PredictionResponseDto>();

        Assert.Equal(first!.Results[0].Probabilities, again!.Results[0].Probabilities);
    }

    [Fact]
    public async Task BatchWithOneBadFileAnswersTheOthersAndExplainsTheBadOne()
    {
        var form = Fixtures.Form(
            ("posters", "good.jpg", Fixtures.Poster("tt0085549")),
            ("posters", "notes.txt", Fixtures.Image("not-an-image.txt")),
            ("posters", "also-good.jpg", Fixtures.Poster("tt0085334")));

        var response = await factory.CreateClient().PostAsync(Endpoint, form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<PredictionResponseDto>())!.Results;
        Assert.Equal(["good.jpg", "notes.txt", "also-good.jpg"], results.Select(r => r.FileName));
        Assert.NotNull(results[0].Probabilities);
        Assert.Equal("unsupported-format", results[1].Error!.Code);
        Assert.Null(results[1].Probabilities);
        Assert.NotNull(results[2].Probabilities);
    }

    [Fact]
    public async Task ModelQueryPicksTheSeedBaseline()
    {
        var response = await factory.CreateClient().PostAsync(Endpoint + "?model=seed-baseline", Fixtures.Posters("tt0084058"));

        var body = await response.Content.ReadFromJsonAsync<PredictionResponseDto>();
        Assert.Equal("seed-baseline", body!.Model.Name);
        Assert.Equal(25, body.Results[0].Probabilities!.Count);
    }

    [Fact]
    public async Task ParallelRequestsGiveTheSameAnswersAsSerialOnes()
    {
        // All 48 requests are let in (the default queue would refuse some: LoadSheddingTests).
        using var roomy = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Load:MaxQueuedRequests"] = "48" });
        var client = roomy.CreateClient();
        var ids = Fixtures.Labelled.Select(p => p.Id).ToArray();
        var serial = new Dictionary<string, Dictionary<string, float>>();
        foreach (var id in ids)
        {
            var body = await (await client.PostAsync(Endpoint, Fixtures.Posters(id))).Content.ReadFromJsonAsync<PredictionResponseDto>();
            serial[id] = body!.Results[0].Probabilities!;
        }

        var requests = Enumerable.Range(0, 48).Select(async i =>
        {
            var id = ids[i % ids.Length];
            var model = i % 4 == 3 ? "?model=seed-baseline" : "";
            var response = await client.PostAsync(Endpoint + model, Fixtures.Posters(id));
            var body = await response.Content.ReadFromJsonAsync<PredictionResponseDto>();
            return (id, model, body!.Results[0].Probabilities!);
        });
        var parallel = await Task.WhenAll(requests);

        // Crossed buffers between concurrent runs would show as whole different answers; 1e-6
        // leaves room only for floating-point summation order.
        foreach (var (id, model, probabilities) in parallel.Where(p => p.model == ""))
        {
            Assert.Equal(serial[id].Keys, probabilities.Keys);
            Assert.All(serial[id], s => Assert.Equal(s.Value, probabilities[s.Key], 6));
        }

        Assert.Equal(12, parallel.Count(p => p.model != ""));
    }
}
