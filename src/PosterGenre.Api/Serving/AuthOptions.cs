namespace PosterGenre.Api.Serving;

/// <summary>
/// Optional API keys (<c>PosterGenre:Auth</c>). With none configured, everything is open, as the
/// README's run command expects; with keys, predictions and model reloads need <c>X-Api-Key</c>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>Accepted keys, e.g. from the environment (<c>PosterGenre__Auth__ApiKeys__0</c>).</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>A file of accepted keys, one per line (a mounted Kubernetes or Docker secret); blank lines and <c>#</c> comments are skipped.</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Require a key for <c>/metrics</c> too (default: open, as Prometheus scrapes it).</summary>
    public bool ProtectMetrics { get; set; }

    /// <summary>Keys shorter than this are refused at start: 16 characters.</summary>
    public const int MinKeyLength = 16;

    /// <summary>The keys from <see cref="ApiKeys"/> and <see cref="ApiKeysFile"/>.</summary>
    public IReadOnlyList<string> AllKeys() =>
        [.. ApiKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k.Trim()),
         .. ApiKeysFile is null ? [] : File.ReadAllLines(ServingOptions.Resolve(ApiKeysFile)).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
}
