using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace PosterGenre.Api.Tests;

/// <summary>
/// Each limit on the shape of a multipart form (issue: "every refusal tells the truth"): the
/// smallest form that crosses it gets its own problem, naming the true measure and its setting,
/// and a form just under it is served. Default settings: 16 posters + 16 other parts, part
/// headers of 16 KB and 16 lines, boundaries of 70 characters.
/// </summary>
public sealed class FormLimitTests : IClassFixture<ApiFactory>
{
    private readonly HttpClient client;
    private readonly byte[] poster = Fixtures.Poster(Fixtures.Labelled[0].Id);

    public FormLimitTests(ApiFactory factory) => client = factory.CreateClient();

    [Fact]
    public async Task AFormOfHundredsOfTinyPartsIsTooManyPartsNotTooLarge()
    {
        var parts = Enumerable.Range(0, 300).Select(i => Part("posters", $"p{i}.jpg", [1])).ToArray();

        var problem = await RefusedAsync(Body(Boundary, parts), Boundary, HttpStatusCode.BadRequest);

        Assert.Equal("Too many form parts", problem.Title);
        Assert.Contains("more than 32 parts", problem.Detail);
        Assert.Contains("PosterGenre:Uploads:MaxFiles", problem.Detail);
        Assert.DoesNotContain("MB", problem.Detail);
    }

    [Fact]
    public async Task ThePartsLimitIsMaxFilesPlusMaxOtherParts()
    {
        var under = new[] { Part("posters", "a.jpg", poster) }.Concat(Others(31)).ToArray();
        var over = new[] { Part("posters", "a.jpg", poster) }.Concat(Others(32)).ToArray();

        await ServedAsync(Body(Boundary, under), Boundary);
        var problem = await RefusedAsync(Body(Boundary, over), Boundary, HttpStatusCode.BadRequest);
        Assert.Contains("more than 32 parts", problem.Detail);
    }

    [Fact]
    public async Task SeventeenPostersAreTooManyFilesWithTheirCount()
    {
        var parts = Enumerable.Range(0, 17).Select(i => Part("posters", $"p{i}.jpg", poster)).ToArray();

        var problem = await RefusedAsync(Body(Boundary, parts), Boundary, HttpStatusCode.BadRequest);

        Assert.Equal("Too many files", problem.Title);
        Assert.Contains("17 posters", problem.Detail);
    }

    [Fact]
    public async Task APartHeaderPastSixteenKilobytesIsItsOwn400AndALongRealFilenameIsServed()
    {
        var realistic = new string('a', 251) + ".jpg";
        var huge = new string('a', 16 * 1024) + ".jpg";

        await ServedAsync(Body(Boundary, Part("posters", realistic, poster)), Boundary);
        var problem = await RefusedAsync(Body(Boundary, Part("posters", huge, poster)), Boundary, HttpStatusCode.BadRequest);

        Assert.Equal("Part header too long", problem.Title);
        Assert.Contains("16384 bytes", problem.Detail);
        Assert.Contains("PosterGenre:Uploads:MaxPartHeaderBytes", problem.Detail);
    }

    [Fact]
    public async Task MoreThanSixteenHeadersInAPartIsItsOwn400()
    {
        static string Extra(int n) => string.Concat(Enumerable.Range(0, n).Select(i => $"X-Extra-{i}: {i}\r\n"));

        await ServedAsync(Body(Boundary, Part("posters", "a.jpg", poster, Extra(14))), Boundary);
        var problem = await RefusedAsync(Body(Boundary, Part("posters", "a.jpg", poster, Extra(15))), Boundary, HttpStatusCode.BadRequest);

        Assert.Equal("Part header too long", problem.Title);
        Assert.Contains("more than 16 headers", problem.Detail);
    }

    [Fact]
    public async Task ABoundaryPastSeventyCharactersIsItsOwn400()
    {
        var longest = new string('b', 70);
        var tooLong = new string('b', 71);

        await ServedAsync(Body(longest, Part("posters", "a.jpg", poster)), longest);
        var problem = await RefusedAsync(Body(tooLong, Part("posters", "a.jpg", poster)), tooLong, HttpStatusCode.BadRequest);

        Assert.Equal("Multipart boundary too long", problem.Title);
        Assert.Contains("longer than 70 characters", problem.Detail);
    }

    private const string Boundary = "postergenre-form-limit-test";

    private static IEnumerable<byte[]> Others(int count) => Enumerable.Range(0, count).Select(i => Part("note", null, "x"u8.ToArray()));

    /// <summary>One part: a file part when <paramref name="fileName"/> is given, else a plain form value.</summary>
    private static byte[] Part(string name, string? fileName, byte[] content, string extraHeaders = "")
    {
        var disposition = fileName is null ? $"form-data; name=\"{name}\"" : $"form-data; name=\"{name}\"; filename=\"{fileName}\"";
        var type = fileName is null ? "" : "Content-Type: application/octet-stream\r\n";
        return [.. Encoding.ASCII.GetBytes($"Content-Disposition: {disposition}\r\n{type}{extraHeaders}\r\n"), .. content];
    }

    private static byte[] Body(string boundary, params byte[][] parts)
    {
        var body = new List<byte>();
        foreach (var part in parts)
        {
            body.AddRange(Encoding.ASCII.GetBytes($"--{boundary}\r\n"));
            body.AddRange(part);
            body.AddRange("\r\n"u8.ToArray());
        }

        body.AddRange(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return [.. body];
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string boundary)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
        return await client.PostAsync("/api/v1/predictions?model=poster-genre-fast", content);
    }

    private async Task ServedAsync(byte[] body, string boundary)
    {
        using var response = await PostAsync(body, boundary);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<ProblemDto> RefusedAsync(byte[] body, string boundary, HttpStatusCode status)
    {
        using var response = await PostAsync(body, boundary);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>())!;
    }
}
