using System.Net;

namespace PosterGenre.Benchmarks;

/// <summary>
/// What hot reloads leave behind in a running service (loopback only): N reloads of one model
/// (<c>POST /api/v1/models/{model}/reload</c>; with unchanged files each loads a copy, validates
/// it and disposes it), each followed by 5 single-poster requests to that model, with the service's
/// RSS and native memory (RSS minus the GC's committed heap) before the first and after every fifth.
/// </summary>
internal static class ReloadRun
{
    public static async Task<int> RunAsync(string baseUrl, int pid, int reloads, string model)
    {
        if (Loopback.Require(baseUrl, "reloads") is not { } uri)
        {
            return 2;
        }

        var posters = Assets.Posters();
        using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(120) };
        var failures = 0;
        for (var i = 0; i < 20; i++)
        {
            failures += await SoakRun.SendAsync(client, 0, i, posters, model) == "200" ? 0 : 1;
        }

        var samples = new List<string> { await SampleAsync(client, pid, "before") };
        for (var r = 1; r <= reloads; r++)
        {
            using (var reload = await client.PostAsync($"/api/v1/models/{model}/reload", null))
            {
                failures += reload.StatusCode == HttpStatusCode.OK ? 0 : 1;
            }

            for (var i = 0; i < 5; i++)
            {
                failures += await SoakRun.SendAsync(client, 0, i, posters, model) == "200" ? 0 : 1;
            }

            if (r % 5 == 0)
            {
                samples.Add(await SampleAsync(client, pid, $"after {r}"));
            }
        }

        Console.WriteLine($"reloads: {reloads} of {model}, {failures} answers not 200; RSS / native MB: {string.Join("; ", samples)}");
        return failures == 0 ? 0 : 1;
    }

    private static async Task<string> SampleAsync(HttpClient client, int pid, string when)
    {
        var rss = ServiceMemory.Rss(pid);
        var native = rss - await ServiceMemory.GcCommittedAsync(client);
        return $"{when} {rss / 1048576.0:F0} / {native / 1048576.0:F0}";
    }
}
