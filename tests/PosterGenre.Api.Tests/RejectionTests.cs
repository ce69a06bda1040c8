using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace PosterGenre.Api.Tests;

/// <summary>Every kind of bad upload gets a 4xx problem+json with a detail a person can act on.</summary>
public sealed class RejectionTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Endpoint = "/api/v1/predictions";

    [Fact]
    public async Task TextFileIsUnsupportedMediaType()
    {
        var problem = await ProblemAsync(factory, Fixtures.Form(("posters", "notes.txt", Fixtures.Image("not-an-image.txt"))), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("not an image in a supported format", problem.Detail);
        Assert.Equal("unsupported-format", problem.Results![0].Error!.Code);
    }

    [Fact]
    public async Task AMultipartBodyCutBeforeItsClosingBoundaryIsABadRequest()
    {
        // Found by the HTTP fuzz run (docs/reliability.md): it used to be a 500.
        var whole = await Fixtures.Posters("tt0086425").ReadAsByteArrayAsync();
        var form = Fixtures.Posters("tt0086425");
        var cut = new ByteArrayContent(whole[..(whole.Length / 2)]);
        cut.Headers.ContentType = form.Headers.ContentType;

        using var response = await factory.CreateClient().PostAsync(Endpoint, cut);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TruncatedJpegIsUnprocessable()
    {
        var problem = await ProblemAsync(factory, Fixtures.Form(("posters", "cut.jpg", Fixtures.Image("truncated.jpg"))), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("truncated", problem.Detail);
    }

    [Fact]
    public async Task EmptyFileIsUnprocessable()
    {
        var problem = await ProblemAsync(factory, Fixtures.Form(("posters", "empty.jpg", [])), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("empty", problem.Detail);
    }

    [Fact]
    public async Task ImageAboveThePixelLimitIsTooLarge()
    {
        using var small = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxPixels"] = "10000" });

        var problem = await ProblemAsync(small, Fixtures.Posters("tt0086425"), HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("the limit is 10,000 pixels", problem.Detail);
    }

    [Fact]
    public async Task FileAboveTheSizeLimitIsTooLarge()
    {
        using var small = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxFileBytes"] = "1000" });

        var problem = await ProblemAsync(small, Fixtures.Posters("tt0086425"), HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("per file", problem.Detail);
    }

    [Fact]
    public async Task RequestAboveTheBodyLimitIsTooLarge()
    {
        using var small = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxRequestBytes"] = "20000" });

        var problem = await ProblemAsync(small, Fixtures.Posters("tt0086425", "tt0085549"), HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("request body is larger than", problem.Detail);
    }

    [Fact]
    public async Task TooManyFilesIsABadRequest()
    {
        using var few = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxFiles"] = "2" });

        var problem = await ProblemAsync(few, Fixtures.Posters("tt0086425", "tt0085549", "tt0085154"), HttpStatusCode.BadRequest);

        Assert.Contains("at most 2", problem.Detail);
    }

    [Fact]
    public async Task AnExplainThatIsNotTrueOrFalseIsABadRequest()
    {
        var response = await factory.CreateClient().PostAsync(Endpoint + "?explain=yes", Fixtures.Posters("tt0086425"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.Contains("explain is 'yes'; it takes true or false", problem.Detail);
    }

    [Fact]
    public async Task JsonBodyIsUnsupportedMediaType()
    {
        var problem = await ProblemAsync(factory, new StringContent("{}", Encoding.UTF8, "application/json"), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("multipart/form-data", problem.Detail);
    }

    [Fact]
    public async Task FormWithoutPostersPartIsABadRequest()
    {
        var problem = await ProblemAsync(factory, Fixtures.Form(("image", "x.jpg", Fixtures.Poster("tt0086425"))), HttpStatusCode.BadRequest);

        Assert.Contains("'image'", problem.Detail);
        Assert.Contains("'posters'", problem.Detail);
    }

    [Fact]
    public async Task UnknownModelIsABadRequestListingTheLoadedOnes()
    {
        var response = await factory.CreateClient().PostAsync(Endpoint + "?model=nope", Fixtures.Posters("tt0086425"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("poster-genre", problem.Detail);
        Assert.Contains("seed-baseline", problem.Detail);
    }

    [Fact]
    public async Task EveryFileFailingForDifferentReasonsIsUnprocessableWithEachReason()
    {
        var form = Fixtures.Form(("posters", "a.txt", Fixtures.Image("not-an-image.txt")), ("posters", "b.jpg", Fixtures.Image("truncated.jpg")));

        var problem = await ProblemAsync(factory, form, HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["unsupported-format", "undecodable-image"], problem.Results!.Select(r => r.Error!.Code));
    }

    private static async Task<ProblemDto> ProblemAsync(ApiFactory api, HttpContent content, HttpStatusCode expected) =>
        await AssertProblemAsync(await api.CreateClient().PostAsync(Endpoint, content), expected);

    private static async Task<ProblemDto> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Equal((int)expected, problem!.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        return problem;
    }
}
