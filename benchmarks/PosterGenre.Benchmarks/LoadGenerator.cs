using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace PosterGenre.Benchmarks;

/// <summary>
/// A closed-loop HTTP load generator for a running service: C concurrent clients post requests of
/// F posters each (1 by default), back to back, for a fixed time, while a prober asks <c>/health/live</c> ten times a second.
/// Prints served requests/s with their latency percentiles, refusals (503) and failures apart, and
/// the health probe's latency. Loopback only.
/// </summary>
internal static class LoadGenerator
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(string baseUrl, int concurrency, TimeSpan duration, string model, int filesPerRequest = 1)
    {
        if (Loopback.Require(baseUrl, "load") is not { } uri)
        {
            return 2;
        }

        var posters = Assets.Posters();
        using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        using var prober = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        var served = new List<double>[concurrency];
        var refused = 0;
        var failed = 0;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            served[w] = [];
            var i = w;
            while (stop.Elapsed < duration)
            {
                using var form = new MultipartFormDataContent();
                for (var f = 0; f < filesPerRequest; f++)
                {
                    var file = new ByteArrayContent(posters[i++ % posters.Length]);
                    file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                    form.Add(file, "posters", $"poster{f}.jpg");
                }

                var clock = Stopwatch.StartNew();
                try
                {
                    using var response = await client.PostAsync($"/api/v1/predictions?model={model}", form);
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        served[w].Add(clock.Elapsed.TotalMilliseconds);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref refused);
                        await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }).ToArray();
        var health = ProbeAsync(prober, stop, duration);
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var ok = served.SelectMany(l => l).Order().ToArray();
        var probes = await health;
        Console.WriteLine($"load: {model}, {concurrency} clients x {filesPerRequest} poster(s), {elapsed:F0} s: {ok.Length} served, {ok.Length / elapsed:F1} req/s, "
            + $"{ok.Length * filesPerRequest / elapsed:F1} posters/s, "
            + $"latency p50 {Percentiles.Of(ok, 0.50):F1} ms, p95 {Percentiles.Of(ok, 0.95):F1} ms, p99 {Percentiles.Of(ok, 0.99):F1} ms, "
            + $"refused (503) {refused}, failed {failed}, "
            + $"health p50 {Percentiles.Of(probes, 0.50):F1} ms, p99 {Percentiles.Of(probes, 0.99):F1} ms, max {(probes.Length == 0 ? double.NaN : probes[^1]):F1} ms");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Latencies of <c>GET /health/live</c>, one every <see cref="ProbeInterval"/>, sorted; a failed probe counts as 30 s.</summary>
    private static async Task<double[]> ProbeAsync(HttpClient prober, Stopwatch stop, TimeSpan duration)
    {
        var latencies = new List<double>();
        while (stop.Elapsed < duration)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await prober.GetAsync("/health/live");
                latencies.Add(response.IsSuccessStatusCode ? clock.Elapsed.TotalMilliseconds : 30_000);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                latencies.Add(30_000);
            }

            var wait = ProbeInterval - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        return [.. latencies.Order()];
    }

}
