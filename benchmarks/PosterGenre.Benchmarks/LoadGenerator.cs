using System.Diagnostics;
using System.Net.Http.Headers;

namespace PosterGenre.Benchmarks;

/// <summary>
/// A closed-loop HTTP load generator for a running service: C concurrent clients post one poster
/// each, back to back, for a fixed time; prints requests/s and latency percentiles. Loopback only.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<int> RunAsync(string baseUrl, int concurrency, TimeSpan duration, string model)
    {
        var uri = new Uri(baseUrl);
        if (!uri.IsLoopback)
        {
            Console.Error.WriteLine($"load: refusing {baseUrl}: the load generator only targets this machine (loopback).");
            return 2;
        }

        var posters = Assets.Posters();
        using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            latencies[w] = [];
            var i = w;
            while (stop.Elapsed < duration)
            {
                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(posters[i++ % posters.Length]);
                file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(file, "posters", "poster.jpg");
                var clock = Stopwatch.StartNew();
                using var response = await client.PostAsync($"/api/v1/predictions?model={model}", form);
                await response.Content.ReadAsByteArrayAsync();
                latencies[w].Add(clock.Elapsed.TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))];
        Console.WriteLine($"load: {model}, {concurrency} clients, {elapsed:F0} s: {all.Length} requests, {all.Length / elapsed:F1} req/s, "
            + $"latency p50 {P(0.50):F1} ms, p90 {P(0.90):F1} ms, p99 {P(0.99):F1} ms, errors {errors}");
        return errors == 0 ? 0 : 1;
    }
}
