using System.Net;
using System.Net.Http.Json;

namespace PosterGenre.Api.Tests;

/// <summary>More prediction requests than <c>PosterGenre:Load</c> allows are refused with 503, not queued without end.</summary>
public sealed class LoadSheddingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Endpoint = "/api/v1/predictions";

    /// <summary>A request body sent only once the test releases it: its request holds its permit meanwhile.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly HttpContent inner;
        private readonly Task release;

        public HeldContent(HttpContent inner, Task release)
        {
            this.inner = inner;
            this.release = release;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await release;
            await inner.CopyToAsync(stream);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Fact]
    public async Task ARequestOverTheLimitWithAFullQueueGets503WithRetryAfter()
    {
        using var one = ApiFactory.With(new Dictionary<string, string?>
        {
            ["PosterGenre:Load:MaxConcurrentRequests"] = "1",
            ["PosterGenre:Load:MaxQueuedRequests"] = "0",
        });
        // The test server's own client: the factory's default one buffers request bodies (for redirects).
        var client = one.Server.CreateClient();
        var release = new TaskCompletionSource();
        Task<HttpResponseMessage> Hold() => client.PostAsync(Endpoint, new HeldContent(Fixtures.Posters("tt0086425"), release.Task));
        var held = Hold();

        // Until the held request has the permit, a second one is served; from then on it is refused.
        // (Should a second request take the permit first, the held one is refused: send it again.)
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

        Assert.False(held.IsCompleted);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        var problem = await second.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains("PosterGenre:Load", problem!.Detail);

        release.SetResult();
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
