using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace PosterGenre.Api.Tests;

/// <summary>
/// The service on a real Kestrel port, with a catalogue of the fixture posters, and Debian's
/// Chromium driven by Playwright. Playwright's own browser download cannot work here, so it
/// launches the system browser (POSTERGENRE_CHROMIUM, default /usr/bin/chromium).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private readonly string catalogue = Path.Combine(Path.GetTempPath(), $"postergenre-browser-{Guid.NewGuid():N}.db");
    private ApiFactory factory = null!;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public static string ScreenshotDir =>
        Environment.GetEnvironmentVariable("POSTERGENRE_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        var model = CatalogueFixture.ModelPath;
        using (var writer = PosterGenre.Catalogue.SqliteCatalogueWriter.Open(catalogue, PosterGenre.Catalogue.CatalogueIdentity.Of(PosterGenre.Inference.ModelManifest.Load(Path.ChangeExtension(model, ".json")))))
        {
            PosterGenre.Training.Commands.IndexCommand.Execute(model, [Path.Combine(Fixtures.Dir, "posters")], null, writer, TextWriter.Null);
        }

        factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Catalogue:Path"] = catalogue });
        factory.UseKestrel(0);
        factory.StartServer();
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1");

        // The whole suite shares 2 cores with TorchSharp tests; give the page time to answer.
        Assertions.SetDefaultExpectTimeout(20_000);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("POSTERGENRE_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
        await factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(catalogue);
    }
}
