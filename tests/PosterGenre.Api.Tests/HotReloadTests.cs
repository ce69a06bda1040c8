using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PosterGenre.Api.Tests;

/// <summary>
/// Hot reload of a model from a folder of its own (a copy of the small shipped model): a good
/// version is swapped in with requests in flight and none fails; a corrupt or half-written file
/// is refused and the old version keeps answering; a change on disk is picked up by itself.
/// </summary>
public sealed class HotReloadTests : IDisposable
{
    private const string Name = "reloadable";
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-reload-").FullName;
    private readonly string onnx;
    private readonly string manifest;
    private readonly string original;

    public HotReloadTests()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast");
        onnx = Path.Combine(dir, "model.onnx");
        manifest = Path.Combine(dir, "model.json");
        File.Copy(shipped + ".onnx", onnx);
        File.Copy(shipped + ".json", manifest);
        original = JsonNode.Parse(File.ReadAllText(manifest))!["version"]!.GetValue<string>();
    }

    [Fact]
    public async Task AGoodVersionIsSwappedInWhileRequestsRunAndNoneFails()
    {
        using var factory = Factory(watch: false);
        using var client = factory.CreateClient();
        Assert.Equal(original, await ServedVersionAsync(client));
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => PredictUntilAsync(client, stop.Token)).ToArray();

        for (var v = 1; v <= 3; v++)
        {
            SetVersion($"9.0.{v}");
            using var reload = await client.PostAsync($"/api/v1/models/{Name}/reload", null);
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
            Assert.Equal($"9.0.{v}", await ServedVersionAsync(client));
        }

        await stop.CancelAsync();
        var answers = (await Task.WhenAll(load)).SelectMany(a => a).ToList();
        Assert.NotEmpty(answers);
        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task ACorruptOrHalfWrittenFileIsRefusedAndTheOldVersionKeepsAnswering()
    {
        using var factory = Factory(watch: false);
        using var client = factory.CreateClient();
        var whole = await File.ReadAllBytesAsync(onnx);

        foreach (var broken in new[] { whole[..(whole.Length / 2)], "not a model"u8.ToArray() })
        {
            await File.WriteAllBytesAsync(onnx, broken);
            using var reload = await client.PostAsync($"/api/v1/models/{Name}/reload", null);

            Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
            Assert.Contains($"{original} keeps serving", (await reload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
            using var answer = await client.PostAsync($"/api/v1/predictions?model={Name}", Fixtures.Posters(Fixtures.Labelled[0].Id));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains($"postergenre_model_reloads_total{{model=\"{Name}\",outcome=\"refused\"}} 2", metrics);
    }

    [Fact]
    public async Task AnUnknownModelIs404()
    {
        using var factory = Factory(watch: false);
        using var client = factory.CreateClient();

        using var reload = await client.PostAsync("/api/v1/models/nope/reload", null);

        Assert.Equal(HttpStatusCode.NotFound, reload.StatusCode);
    }

    [Fact]
    public async Task AChangedManifestOnDiskIsPickedUp()
    {
        using var factory = Factory(watch: true);
        using var client = factory.CreateClient();
        Assert.Equal(original, await ServedVersionAsync(client));

        SetVersion("9.1.0");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await ServedVersionAsync(client) != "9.1.0" && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.Equal("9.1.0", await ServedVersionAsync(client));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private ApiFactory Factory(bool watch) => ApiFactory.With(new Dictionary<string, string?>
    {
        [$"PosterGenre:Models:{Name}:Path"] = onnx,
        ["PosterGenre:Reload:WatchFiles"] = watch ? "true" : "false",
        ["PosterGenre:Reload:DebounceMilliseconds"] = "300",
    });

    private void SetVersion(string version)
    {
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["version"] = version;
        File.WriteAllText(manifest, json.ToJsonString());
    }

    private static async Task<string?> ServedVersionAsync(HttpClient client)
    {
        var models = await client.GetFromJsonAsync<JsonElement>("/api/v1/models");
        return models.EnumerateArray().Single(m => m.GetProperty("name").GetString() == Name).GetProperty("version").GetString();
    }

    private static async Task<List<HttpStatusCode>> PredictUntilAsync(HttpClient client, CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        while (!stop.IsCancellationRequested)
        {
            using var response = await client.PostAsync($"/api/v1/predictions?model={Name}", Fixtures.Posters(Fixtures.Labelled[0].Id));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
