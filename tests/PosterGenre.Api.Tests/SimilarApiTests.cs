using System.Net;
using System.Net.Http.Json;
using PosterGenre.Api.Serving;
using PosterGenre.Catalogue;
using PosterGenre.Inference;
using PosterGenre.Training.Commands;

namespace PosterGenre.Api.Tests;

/// <summary>
/// The fixture posters indexed by <c>postergenre-train index</c> with the shipped default model
/// (one broken file among them, titles and genres from a CSV) into a store, and a service that
/// searches them.
/// </summary>
public abstract class CatalogueFixture : IDisposable
{
    protected CatalogueFixture(CatalogueLocation location, string setting, string value)
    {
        Location = location;
        Setting = (setting, value);
        var images = Directory.CreateDirectory(Path.Combine(Folder, "images")).FullName;
        foreach (var (id, _) in Fixtures.Labelled)
        {
            File.Copy(Fixtures.PosterPath(id), Path.Combine(images, id + ".jpg"));
        }

        File.WriteAllBytes(Path.Combine(images, "broken.jpg"), Fixtures.Image("truncated.jpg"));
        File.WriteAllLines(Csv, ["Id,Title,Genre", .. Fixtures.Labelled.Select(p => $"{p.Id},Title of {p.Id},\"['{string.Join("', '", p.Genres)}']\"")]);
        Index(images);
        Factory = ApiFactory.With(new Dictionary<string, string?> { [setting] = value });
    }

    public CatalogueLocation Location { get; }

    /// <summary>The service's setting that names the catalogue, and its value.</summary>
    public (string Key, string Value) Setting { get; }

    public string Folder { get; } = Directory.CreateTempSubdirectory("postergenre-catalogue-").FullName;

    public string Csv => Path.Combine(Folder, "posters.csv");

    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models", "poster-genre", "poster-genre.int8.onnx");

    public ApiFactory Factory { get; }

    public string Index(string images)
    {
        using var writer = Location.OpenForIndex(CatalogueIdentity.Of(ModelManifest.Load(Path.ChangeExtension(ModelPath, ".json"))));
        var log = new StringWriter();
        Assert.Equal(0, IndexCommand.Execute(ModelPath, [images], Csv, writer, log));
        return log.ToString();
    }

    public void Dispose()
    {
        Factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        if (Location.File is { } file)
        {
            File.Delete(file);
        }
    }
}

public sealed class SqliteCatalogueFixture() : CatalogueFixture(new(File, null), "PosterGenre:Catalogue:Path", File)
{
    private static readonly string File = Path.Combine(Path.GetTempPath(), $"postergenre-catalogue-{Guid.NewGuid():N}.db");
}

public sealed class PostgresCatalogueFixture() : CatalogueFixture(new(null, Server), "PosterGenre:Catalogue:ConnectionString", Server)
{
    private static readonly string Server = PosterGenre.Tests.TestPostgres.NewSchema();
}

/// <summary>The similar-poster endpoints over the embedded store.</summary>
public sealed class SqliteSimilarApiTests(SqliteCatalogueFixture catalogue) : SimilarApiTests(catalogue), IClassFixture<SqliteCatalogueFixture>;

/// <summary>The same over PostgreSQL with pgvector (the server scripts/test.sh starts).</summary>
[Trait("Category", "Postgres")]
public sealed class PostgresSimilarApiTests(PostgresCatalogueFixture catalogue) : SimilarApiTests(catalogue), IClassFixture<PostgresCatalogueFixture>;

/// <summary>Posters like this one over HTTP: the neighbours are the catalogue's exact nearest, and every bad request is problem+json.</summary>
public abstract class SimilarApiTests(CatalogueFixture catalogue)
{
    [Fact]
    public void IndexingAgainAddsNothingAndABrokenFileIsReportedNotIndexed()
    {
        var log = catalogue.Index(Path.Combine(catalogue.Folder, "images"));

        Assert.Contains("0 posters added", log);
        Assert.Contains($"{Fixtures.Labelled.Length} already in it", log);
        Assert.Contains("1 refused: broken.jpg:", log);
    }

    [Fact]
    public async Task ACataloguePostersNeighboursAreItsNearestByCosineWithoutItself()
    {
        using var client = catalogue.Factory.CreateClient();
        using var store = catalogue.Location.OpenForSearch();
        var (id, genres) = Fixtures.Labelled[0];

        var answer = await client.GetFromJsonAsync<SimilarDto>($"/api/v1/catalogue/{id}/similar?k=4");

        var query = (await store.FindAsync(id))!.Value.Embedding;
        var expected = new List<(string Id, double Score)>();
        foreach (var (other, _) in Fixtures.Labelled.Where(p => p.Id != id))
        {
            expected.Add((other, (await store.FindAsync(other))!.Value.Embedding.Zip(query, (a, b) => (double)a * b).Sum()));
        }

        expected = [.. expected.OrderByDescending(x => x.Score).Take(4)];
        Assert.Equal(id, answer!.Id);
        Assert.Equal("poster-genre", answer.Model.Name);
        Assert.Equal(expected.Select(x => x.Id), answer.Neighbours.Select(n => n.Id));
        Assert.All(answer.Neighbours.Zip(expected), p => Assert.Equal(p.Second.Score, p.First.Score, 1e-5));
        var first = answer.Neighbours[0];
        Assert.Equal($"Title of {first.Id}", first.Title);
        Assert.Equal(Fixtures.Labelled.Single(p => p.Id == first.Id).Genres.Order(), first.Genres!.Order());
        Assert.NotEmpty(first.Predicted);
    }

    [Fact]
    public async Task AnUploadedCataloguePosterFindsItselfFirstWithTheServicesOwnGenres()
    {
        using var client = catalogue.Factory.CreateClient();
        var id = Fixtures.Labelled[1].Id;

        using var similar = await client.PostAsync("/api/v1/similar?k=3", Fixtures.Form(("poster", id + ".jpg", Fixtures.Poster(id))));
        using var predicted = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(id));

        Assert.Equal(HttpStatusCode.OK, similar.StatusCode);
        var answer = (await similar.Content.ReadFromJsonAsync<SimilarDto>())!;
        var prediction = (await predicted.Content.ReadFromJsonAsync<PredictionResponseDto>())!.Results[0];
        Assert.Equal(3, answer.Neighbours.Count);
        Assert.Equal(id, answer.Neighbours[0].Id);
        Assert.True(answer.Neighbours[0].Score > 0.9999f, $"the poster's own score is {answer.Neighbours[0].Score}");
        Assert.Equal(prediction.Probabilities, answer.Poster!.Probabilities);
        Assert.Equal(prediction.Predicted, answer.Poster.Predicted);
    }

    [Fact]
    public async Task AGenreFilterKeepsOnlyPostersOfThatGenre()
    {
        using var client = catalogue.Factory.CreateClient();
        var id = Fixtures.Labelled[0].Id;

        var answer = await client.GetFromJsonAsync<SimilarDto>($"/api/v1/catalogue/{id}/similar?k=10&genre=romance");

        var romances = Fixtures.Labelled.Where(p => p.Id != id && p.Genres.Contains("Romance")).Select(p => p.Id).Order();
        Assert.Equal(romances, answer!.Neighbours.Select(n => n.Id).Order());
    }

    [Fact]
    public async Task AThumbnailIsAJpegServedFromTheCatalogue()
    {
        using var client = catalogue.Factory.CreateClient();
        var answer = await client.GetFromJsonAsync<SimilarDto>($"/api/v1/catalogue/{Fixtures.Labelled[0].Id}/similar?k=1");

        using var response = await client.GetAsync(answer!.Neighbours[0].Thumbnail);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        Assert.True(response.Headers.CacheControl?.Private, "a thumbnail of a catalogue that may be private is cached privately only");
    }

    [Theory]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/similar?k=0", 400, "Invalid k")]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/similar?k=101", 400, "Invalid k")]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/similar?k=ten", 400, "Invalid k")]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/similar?genre=Opera", 400, "Unknown genre")]
    [InlineData("GET", "/api/v1/catalogue/tt9999999/similar", 404, "No such poster")]
    [InlineData("GET", "/api/v1/catalogue/..%2F..%2Fetc%2Fpasswd/thumbnail", 404, "No such poster")]
    [InlineData("POST", "/api/v1/similar?k=-1", 400, "Invalid k")]
    [InlineData("POST", "/api/v1/similar", 400, "One poster per request")]
    [InlineData("POST", "/api/v1/similar?genre=", 400, "Unknown genre")]
    public async Task ABadRequestIsProblemJson(string method, string url, int status, string title)
    {
        using var client = catalogue.Factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "POST" ? Fixtures.Posters(Fixtures.Labelled[0].Id, Fixtures.Labelled[1].Id) : null,
        };

        using var response = await client.SendAsync(request);

        await AssertProblem(response, status, title);
    }

    [Fact]
    public async Task AnUploadThatIsNotAPosterIsProblemJson()
    {
        using var client = catalogue.Factory.CreateClient();

        using var text = await client.PostAsync("/api/v1/similar", Fixtures.Form(("poster", "notes.txt", Fixtures.Image("not-an-image.txt"))));
        using var json = await client.PostAsync("/api/v1/similar", JsonContent.Create(new { poster = "x" }));

        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
        Assert.InRange((int)text.StatusCode, 400, 499);
        await AssertProblem(json, 415, "Not a multipart upload");
    }

    [Theory]
    [InlineData("GET", "/api/v1/catalogue")]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/similar")]
    [InlineData("GET", "/api/v1/catalogue/tt0086425/thumbnail")]
    [InlineData("POST", "/api/v1/similar")]
    public async Task WithoutACatalogueEveryEndpointSaysSo(string method, string url)
    {
        using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "POST" ? Fixtures.Posters(Fixtures.Labelled[0].Id) : null };

        using var response = await client.SendAsync(request);

        await AssertProblem(response, 404, "No catalogue");
    }

    [Theory]
    [InlineData("/api/v1/catalogue")]
    [InlineData("/api/v1/catalogue/tt0086425/similar")]
    [InlineData("/api/v1/catalogue/tt0086425/thumbnail")]
    public async Task WithAPIKeysTheCatalogueIsPrivateGetsIncluded(string url)
    {
        const string key = "k3y-for-tests-0123456789abcdef";
        using var factory = ApiFactory.With(new Dictionary<string, string?> { [catalogue.Setting.Key] = catalogue.Setting.Value, ["PosterGenre:Auth:ApiKeys:0"] = key });
        using var client = factory.CreateClient();

        using var without = await client.GetAsync(url);
        client.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        using var with = await client.GetAsync(url);

        await AssertProblem(without, 401, "API key required");
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task SwaggerDocumentsTheUploadAndTheCatalogueEndpoints()
    {
        using var client = catalogue.Factory.CreateClient();

        using var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json"));

        var paths = doc.RootElement.GetProperty("paths");
        var upload = paths.GetProperty("/api/v1/similar").GetProperty("post");
        var poster = upload.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties").GetProperty("poster");
        Assert.Equal("binary", poster.GetProperty("format").GetString());
        Assert.Contains(upload.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "k" && p.GetProperty("schema").GetProperty("type").GetString() == "integer");
        Assert.True(upload.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(paths.GetProperty("/api/v1/catalogue/{id}/similar").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v1/catalogue/{id}/thumbnail").TryGetProperty("get", out _));
    }

    private static async Task AssertProblem(HttpResponseMessage response, int status, string title)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Equal(title, problem!.Title);
    }
}

public sealed record SimilarDto(ModelRefDto Model, PosterResultDto? Poster, string? Id, List<SimilarPosterDto> Neighbours);

public sealed record SimilarPosterDto(string Id, string FileName, string? Title, float Score, List<string>? Genres, List<string> Predicted, string Thumbnail);
