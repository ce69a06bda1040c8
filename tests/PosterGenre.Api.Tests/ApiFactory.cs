using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PosterGenre.Api.Tests;

/// <summary>The real service on the shipped models, with optional configuration overrides.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> settings;

    public ApiFactory() => settings = new Dictionary<string, string?>();

    public static ApiFactory With(IReadOnlyDictionary<string, string?> overrides) => new(overrides);

    private ApiFactory(IReadOnlyDictionary<string, string?> overrides) => settings = overrides;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
