using System.Diagnostics;

namespace PosterGenre.Api.Tests;

/// <summary>
/// The service as an operator starts it (its own process, Production environment): a broken
/// configuration stops it with one line naming what is wrong and exit code 1, not a stack trace.
/// </summary>
public sealed class StartupTests
{
    /// <summary>The API's own build output beside this test project's (same configuration).</summary>
    internal static string ApiDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (framework, configuration) = (testBin.Name, testBin.Parent!.Name);
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "PosterGenre.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return Path.Combine(root.FullName, "src", "PosterGenre.Api", "bin", configuration, framework, "PosterGenre.Api.dll");
    }

    private static async Task<(int ExitCode, string Output)> StartAsync(params (string Key, string Value)[] environment)
    {
        var dll = ApiDll();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the service did not stop within 60 s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    [Theory]
    [InlineData("PosterGenre__Models__poster-genre__Path", "/nowhere/missing.onnx", "'/nowhere/missing.onnx' does not exist (PosterGenre:Models:poster-genre:Path)")]
    [InlineData("PosterGenre__Load__MaxConcurrentRequests", "-1", "PosterGenre:Load:MaxConcurrentRequests is -1: The field MaxConcurrentRequests must be between 0 and 4096.")]
    [InlineData("PosterGenre__Auth__ApiKeys__0", "short", "PosterGenre:Auth: 1 API key(s) shorter than 16 characters")]
    [InlineData("PosterGenre__Auth__ApiKeysFile", "/nowhere/keys.txt", "PosterGenre:Auth:ApiKeysFile: '/nowhere/keys.txt' does not exist.")]
    [InlineData("PosterGenre__Shutdown__GraceSeconds", "0", "PosterGenre:Shutdown:GraceSeconds is 0: The field GraceSeconds must be between 1 and 600.")]
    [InlineData("PosterGenre__Cors__AllowedOrigins__0", "https://movies.example.org/", "PosterGenre:Cors:AllowedOrigins:0 'https://movies.example.org/'")]
    [InlineData("PosterGenre__Onnx__MaxConcurrentInferences", "-1", "PosterGenre:Onnx:MaxConcurrentInferences is -1: The field MaxConcurrentInferences must be between 0 and 1024.")]
    [InlineData("PosterGenre__Onnx__GraphOptimization", "fastest", "'fastest' at 'PosterGenre:Onnx:GraphOptimization'")]
    [InlineData("PosterGenre__Catalogue__Path", "/nowhere/catalogue.db", "Catalogue '/nowhere/catalogue.db' does not exist")]
    [InlineData("PosterGenre__Catalogue__MaxNeighbours", "0", "PosterGenre:Catalogue:MaxNeighbours is 0")]
    [InlineData("PosterGenre__Catalogue__ConnectionString", "Host=127.0.0.1;Port=1;Database=films;Username=u;Password=p", "Catalogue 'PostgreSQL 127.0.0.1:1/films' cannot be read")]
    public async Task ABrokenSettingStopsTheServiceWithOneLineNamingIt(string key, string value, string expected)
    {
        var (exitCode, output) = await StartAsync((key, value));

        Assert.Equal(1, exitCode);
        Assert.Contains("PosterGenre cannot start: ", output);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task ACorruptModelFileStopsTheServiceNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("postergenre-start-").FullName;
        try
        {
            var onnx = Path.Combine(dir, "broken.onnx");
            File.WriteAllText(onnx, "not a model");
            var shipped = Path.Combine(Path.GetDirectoryName(ApiDll())!, "models", "poster-genre", "poster-genre.json");
            File.Copy(shipped, Path.Combine(dir, "broken.json"));

            var (exitCode, output) = await StartAsync(("PosterGenre__Models__poster-genre__Path", onnx));

            Assert.Equal(1, exitCode);
            Assert.Contains($"PosterGenre cannot start: Model file '{onnx}' cannot be loaded", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task TwoCataloguesAtOnceStopTheServiceSayingWhich()
    {
        var (exitCode, output) = await StartAsync(("PosterGenre__Catalogue__Path", "catalogue.db"), ("PosterGenre__Catalogue__ConnectionString", "Host=db;Database=films"));

        Assert.Equal(1, exitCode);
        Assert.Contains("PosterGenre:Catalogue: both Path and ConnectionString are set", output);
    }

    [Theory]
    [InlineData("another model", "was made by poster-genre 0.0.1, which this service does not serve")]
    [InlineData("not a database", "cannot be read")]
    public async Task ACatalogueItCannotSearchStopsTheServiceNamingIt(string kind, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("postergenre-start-").FullName;
        try
        {
            var path = Path.Combine(dir, "catalogue.db");
            if (kind == "another model")
            {
                var shipped = Path.Combine(Path.GetDirectoryName(ApiDll())!, "models", "poster-genre", "poster-genre.int8.json");
                var identity = PosterGenre.Catalogue.CatalogueIdentity.Of(PosterGenre.Inference.ModelManifest.Load(shipped)) with { ModelVersion = "0.0.1" };
                PosterGenre.Catalogue.SqliteCatalogueWriter.Open(path, identity).Dispose();
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }
            else
            {
                File.WriteAllText(path, new string('x', 5000));
            }

            var (exitCode, output) = await StartAsync(("PosterGenre__Catalogue__Path", path));

            Assert.Equal(1, exitCode);
            Assert.Contains($"PosterGenre cannot start: Catalogue '{path}'", output);
            Assert.Contains(expected, output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
