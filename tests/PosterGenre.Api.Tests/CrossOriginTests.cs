using System.Net;
using System.Text;

namespace PosterGenre.Api.Tests;

public sealed class CrossOriginTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Allowed = "https://movies.example.org";
    private const string Other = "https://elsewhere.example.com";

    private static ApiFactory Allowing(params string[] origins) => ApiFactory.With(
        origins.Select((o, i) => KeyValuePair.Create($"PosterGenre:Cors:AllowedOrigins:{i}", (string?)o)).ToDictionary());

    private static HttpRequestMessage Preflight(string origin) => new(HttpMethod.Options, "/api/v1/predictions")
    {
        Headers = { { "Origin", origin }, { "Access-Control-Request-Method", "POST" } },
    };

    private static HttpRequestMessage Upload(string origin, HttpContent content) => new(HttpMethod.Post, "/api/v1/predictions")
    {
        Headers = { { "Origin", origin } },
        Content = content,
    };

    private static string? AllowOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;

    [Fact]
    public async Task ByDefaultNoOtherSiteMayReadTheAnswers()
    {
        using var allowing = Allowing(Allowed);

        var byDefault = await factory.CreateClient().SendAsync(Upload(Allowed, Fixtures.Posters("tt0086425")));
        var configured = await allowing.CreateClient().SendAsync(Upload(Allowed, Fixtures.Posters("tt0086425")));

        Assert.Equal(HttpStatusCode.OK, byDefault.StatusCode);
        Assert.Null(AllowOrigin(byDefault));
        Assert.Equal(Allowed, AllowOrigin(configured));
    }

    [Fact]
    public async Task PreflightIsAnsweredForAConfiguredOriginOnly()
    {
        using var allowing = Allowing(Allowed);
        var client = allowing.CreateClient();

        var allowed = await client.SendAsync(Preflight(Allowed));
        var other = await client.SendAsync(Preflight(Other));

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Allowed, AllowOrigin(allowed));
        Assert.Contains("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Null(AllowOrigin(other));
    }

    [Fact]
    public async Task ProblemAnswersCarryTheHeaderSoTheOtherPageCanShowTheError()
    {
        using var allowing = Allowing(Allowed);

        var response = await allowing.CreateClient().SendAsync(Upload(Allowed, new StringContent("{}", Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(Allowed, AllowOrigin(response));
    }

    [Fact]
    public async Task StarAllowsAnySite()
    {
        using var any = Allowing("*");

        var response = await any.CreateClient().SendAsync(Upload(Other, Fixtures.Posters("tt0086425")));

        Assert.Equal("*", AllowOrigin(response));
    }

    [Theory]
    [InlineData("https://movies.example.org/app")]
    [InlineData("https://movies.example.org/")]
    [InlineData("movies.example.org")]
    [InlineData("ftp://movies.example.org")]
    public void AnEntryThatIsNotAnOriginStopsTheStartNamingTheKey(string origin)
    {
        using var broken = Allowing(Allowed, origin);

        var e = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains($"PosterGenre:Cors:AllowedOrigins:1 '{origin}'", e.Message);
    }
}
