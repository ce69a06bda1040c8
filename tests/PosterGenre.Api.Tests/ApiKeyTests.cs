using System.Net;
using System.Text.Json;
using PosterGenre.Api.Serving;

namespace PosterGenre.Api.Tests;

/// <summary>API keys: off unless configured; when configured, predictions need one, health does not.</summary>
public sealed class ApiKeyTests : IDisposable
{
    private const string Key = "k3y-for-tests-0123456789abcdef";
    private readonly ApiFactory keyed = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Auth:ApiKeys:0"] = Key });

    [Fact]
    public async Task WithKeysAPredictionWithoutOneIs401ProblemJson()
    {
        using var client = keyed.CreateClient();

        using var response = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(ApiKeys.Header, response.Headers.WwwAuthenticate.ToString());
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("needs an API key", problem.RootElement.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("wrong-key-0123456789abcdef-xx")]
    [InlineData("k3y-for-tests-0123456789abcde")]
    [InlineData("k3y-for-tests-0123456789abcdefg")]
    public async Task WithKeysAWrongKeyIs401(string wrong)
    {
        using var client = keyed.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeys.Header, wrong);

        using var response = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WithKeysTheRightKeyIsAnsweredAndHealthStaysOpen()
    {
        using var client = keyed.CreateClient();
        using var health = await client.GetAsync("/health/ready");
        using var models = await client.GetAsync("/api/v1/models");
        using var metrics = await client.GetAsync("/metrics");
        client.DefaultRequestHeaders.Add(ApiKeys.Header, Key);

        using var response = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task KeysFromAFileAndProtectedMetrics()
    {
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, ["# keys for the tests", "", Key]);
        try
        {
            using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Auth:ApiKeysFile"] = file, ["PosterGenre:Auth:ProtectMetrics"] = "true" });
            using var client = factory.CreateClient();
            using var refused = await client.GetAsync("/metrics");
            client.DefaultRequestHeaders.Add(ApiKeys.Header, Key);

            using var metrics = await client.GetAsync("/metrics");

            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void AKeysFileWithoutAKeyStopsTheStart()
    {
        // A placeholder secret left in place must not turn the keys off without a word.
        var file = Path.GetTempFileName();
        File.WriteAllLines(file, ["# replace-me-with-a-long-random-key"]);
        try
        {
            using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Auth:ApiKeysFile"] = file });

            var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

            Assert.Contains("holds no key", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task WithoutKeysEverythingIsOpen()
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public void Dispose() => keyed.Dispose();
}
