using System.Net;
using System.Net.Http.Json;

namespace PosterGenre.Api.Tests;

/// <summary>More prediction requests than <c>PosterGenre:Load</c> allows are refused with 503, not queued without end.</summary>
public sealed class LoadSheddingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Endpoint = "/api/v1/predictions";

    [Fact]
    public async Task ARequestOverTheLimitWithAFullQueueGets503WithRetryAfter()
    {
        using var one = ApiFactory.With(new Dictionary<string, string?>
        {
            ["PosterGenre:Load:MaxConcurrentRequests"] = "1",
            ["PosterGenre:Load:MaxQueuedRequests"] = "0",
        });
        var client = one.CreateClient();
        // A request that holds the permit for seconds: explanations of four posters by the default
        // model (55 inferences each). Uploads are read before a request asks for a permit, so only
        // work holds one, not a slow body.
        Task<HttpResponseMessage> Hold() => client.PostAsync(Endpoint + "?explain=true", Fixtures.Posters("tt0086425", "tt0085549", "tt0084058", "tt0085154"));
        var held = Hold();
        await Task.Delay(300);

        // While the held request has the permit, a second one is refused. (Should a second request
        // take the permit first, the held one is refused: send it again.)
        HttpResponseMessage second;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            if (held.IsCompleted)
            {
                held = Hold();
            }

            second = await client.PostAsync(Endpoint, Fixtures.Posters("tt0085549"));
        }
        while (second.StatusCode == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        var problem = await second.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains("PosterGenre:Load", problem!.Detail);

        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(Endpoint, Fixtures.Posters("tt0085549"))).StatusCode);
        Assert.Contains("postergenre_rejected_uploads_total{reason=\"busy\"}", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task TheDefaultsServeEightConcurrentClients()
    {
        var client = factory.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostAsync(Endpoint, Fixtures.Posters("tt0086425"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Theory]
    [InlineData("MaxConcurrentRequests", "-1")]
    [InlineData("MaxQueuedRequests", "-1")]
    public void AnImpossibleLimitStopsTheStartNamingTheKey(string key, string value)
    {
        using var broken = ApiFactory.With(new Dictionary<string, string?> { [$"PosterGenre:Load:{key}"] = value });

        var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains("PosterGenre:Load", e.Message);
        Assert.Contains(value, e.Message);
    }
}
