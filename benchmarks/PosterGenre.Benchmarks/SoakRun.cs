using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace PosterGenre.Benchmarks;

/// <summary>
/// A soak of a running service (loopback only): N requests at concurrency C, mixing single
/// posters, batches of 4, explanations, bad uploads (text, truncated, empty) and slow uploads
/// (sent in pieces over a raw socket), with one hot reload of a model half-way. Counts answers by
/// status, 5xx and dropped connections apart, and samples the service's RSS (from /proc/PID) and
/// its native memory (RSS minus the GC's committed heap, <c>postergenre_gc_committed_bytes</c> on
/// /metrics) every tenth of the run (the first tenth is the warm-up) and at the end. Exit code 0 only with no 5xx and no drop.
/// </summary>
internal static class SoakRun
{
    public static async Task<int> RunAsync(string baseUrl, int pid, int total, int concurrency, string model, string reloadModel)
    {
        if (Loopback.Require(baseUrl, "soak") is not { } uri)
        {
            return 2;
        }

        var posters = Assets.Posters();
        using var client = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(120) };
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var next = -1;
        long warmRss = 0;
        long warmNative = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                if (i > 0 && i % Math.Max(1, total / 10) == 0)
                {
                    // A sample every tenth of the run, so a level can be told from a slope.
                    var rss = ServiceMemory.Rss(pid);
                    var native = rss - await ServiceMemory.GcCommittedAsync(client);
                    Console.WriteLine($"soak: at request {i}: RSS {rss / 1048576.0:F0} MB, native {native / 1048576.0:F0} MB");
                    if (i == total / 10)
                    {
                        Interlocked.Exchange(ref warmRss, rss);
                        Interlocked.Exchange(ref warmNative, native);
                    }
                }

                if (i == total / 2)
                {
                    using var reload = await client.PostAsync($"/api/v1/models/{reloadModel}/reload", null);
                    statuses.AddOrUpdate($"reload {(int)reload.StatusCode}", 1, (_, n) => n + 1);
                }

                var kind = i % 20;
                string outcome;
                try
                {
                    outcome = kind == 19 ? await SlowUploadAsync(uri, posters[i % posters.Length], model) : await SendAsync(client, kind, i, posters, model);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
                {
                    outcome = "dropped";
                }

                statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var endRss = ServiceMemory.Rss(pid);
        var endNative = endRss - await ServiceMemory.GcCommittedAsync(client);
        var fiveXx = statuses.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
        var dropped = statuses.GetValueOrDefault("dropped");
        Console.WriteLine($"soak: {total} requests at concurrency {concurrency} in {clock.Elapsed.TotalSeconds:F0} s ({total / clock.Elapsed.TotalSeconds:F1}/s) against {model}: "
            + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Console.WriteLine($"soak: 5xx {fiveXx}, dropped {dropped}; RSS after warm-up {warmRss / 1048576.0:F0} MB, at the end {endRss / 1048576.0:F0} MB ({(endRss - warmRss) * 100.0 / Math.Max(1, warmRss):+0.0;-0.0}%); "
            + $"native (RSS minus the GC's committed heap) {warmNative / 1048576.0:F0} MB, at the end {endNative / 1048576.0:F0} MB ({(endNative - warmNative) * 100.0 / Math.Max(1, warmNative):+0.0;-0.0}%)");
        return fiveXx == 0 && dropped == 0 ? 0 : 1;
    }

    /// <summary>One request of the mix: kind 0-9 a single poster, 10-13 a batch of 4, 14 an explanation, 15-18 bad uploads.</summary>
    internal static async Task<string> SendAsync(HttpClient client, int kind, int i, byte[][] posters, string model)
    {
        using var form = new MultipartFormDataContent();
        var query = $"?model={model}";
        switch (kind)
        {
            case < 10:
                Add(form, posters[i % posters.Length], "poster.jpg");
                break;
            case < 14:
                for (var f = 0; f < 4; f++)
                {
                    Add(form, posters[(i + f) % posters.Length], $"poster{f}.jpg");
                }

                break;
            case 14:
                Add(form, posters[i % posters.Length], "poster.jpg");
                query += "&explain=true";
                break;
            case 15:
                Add(form, Encoding.UTF8.GetBytes("not an image at all"), "notes.txt");
                break;
            case 16:
                Add(form, posters[i % posters.Length][..(posters[i % posters.Length].Length / 3)], "cut.jpg");
                break;
            case 17:
                Add(form, [], "empty.jpg");
                break;
            default:
                Add(form, posters[i % posters.Length], "poster.jpg");
                Add(form, Encoding.UTF8.GetBytes("text"), "mixed.txt");
                break;
        }

        using var response = await client.PostAsync("/api/v1/predictions" + query, form);
        await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode).ToString();
    }

    /// <summary>A single-poster upload sent in 8 pieces 100 ms apart over its own connection.</summary>
    private static async Task<string> SlowUploadAsync(Uri server, byte[] poster, string model)
    {
        using var form = new MultipartFormDataContent();
        Add(form, poster, "slow.jpg");
        var body = await form.ReadAsByteArrayAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/v1/predictions?model={model} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {form.Headers.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        var piece = (body.Length + 7) / 8;
        for (var offset = 0; offset < body.Length; offset += piece)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(piece, body.Length - offset)));
            await Task.Delay(100);
        }

        var status = await new StreamReader(stream).ReadLineAsync();
        return status is { Length: >= 12 } ? status[9..12] : "dropped";
    }

    private static void Add(MultipartFormDataContent form, byte[] content, string name)
    {
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".jpg") ? "image/jpeg" : "text/plain");
        form.Add(file, "posters", name);
    }
}
