namespace PosterGenre.Api.Observability;

/// <summary>
/// <c>PosterGenre.Api --health-check [url]</c>: exits 0 when the readiness endpoint answers 200.
/// The container image uses it as HEALTHCHECK, since the ASP.NET runtime image has no curl or wget.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--health-check";
    public const string DefaultUrl = "http://127.0.0.1:8080/health/ready";

    public static async Task<int> RunAsync(string url)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(url);
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }
}
