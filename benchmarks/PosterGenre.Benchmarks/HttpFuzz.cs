using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace PosterGenre.Benchmarks;

/// <summary>
/// An HTTP-level fuzz run against a running service (loopback only): each case is a valid
/// one- or two-poster multipart upload with 1-3 seeded mutations (bytes flipped, cut, repeated or
/// dropped; the boundary, part headers, names, file names, content type or declared length
/// changed), sent over its own connection. Every answer must be 2xx or 4xx; a 5xx, an answer that
/// does not come within the timeout (a hang) or a service that stops answering health checks is a
/// failure. The same seed replays the same cases.
/// </summary>
internal static class HttpFuzz
{
    private static readonly string[] Mutations =
        ["flip", "cut", "repeat", "drop", "boundary", "disposition", "name", "filename", "content-type", "length-short", "part-headers", "many-parts",
         "tiny-parts", "header-count", "long-boundary", "long-header"];

    /// <summary>Mutations of the poster's bytes: they may make an image too large to decode, a true 413.</summary>
    private static readonly string[] ByteMutations = ["flip", "cut", "repeat", "drop"];

    /// <summary>
    /// The service's default PosterGenre:Uploads:MaxRequestBytes: a form-shape case (no byte
    /// mutation) answered 413 with a smaller body was refused for a size it does not have.
    /// </summary>
    private const int MaxRequestBytes = 32 * 1024 * 1024;

    public static async Task<int> RunAsync(string baseUrl, int cases, int seed, int concurrency = 4)
    {
        if (Loopback.Require(baseUrl, "fuzz") is not { } uri)
        {
            return 2;
        }

        var posters = Assets.Posters();
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < cases)
            {
                var random = new Random(HashCode.Combine(seed, i));
                var (head, body, applied) = Case(random, posters);
                var outcome = await SendAsync(uri, head, body);
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                if (outcome.StartsWith('5') || outcome == "hang" || (outcome == "413" && body.Length < MaxRequestBytes && !applied.Any(ByteMutations.Contains)))
                {
                    failures.Add($"case {i} ({string.Join("+", applied)}): {outcome}");
                }
            }
        }));

        using var health = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(10) };
        var alive = (await health.GetAsync("/health/ready")).IsSuccessStatusCode;
        Console.WriteLine($"fuzz: {cases} cases (seed {seed}) in {clock.Elapsed.TotalSeconds:F0} s: "
            + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")) + $"; ready afterwards: {alive}");
        foreach (var failure in failures.Take(20))
        {
            Console.WriteLine($"fuzz: FAILED {failure}");
        }

        return failures.IsEmpty && alive ? 0 : 1;
    }

    private static (string Head, byte[] Body, List<string> Applied) Case(Random random, byte[][] posters)
    {
        var boundary = "fuzz" + random.Next(1_000_000);
        var declaredBoundary = boundary;
        var partHeaders = new List<string> { "Content-Disposition: form-data; name=\"posters\"; filename=\"poster.jpg\"", "Content-Type: image/jpeg" };
        var contentType = "multipart/form-data; boundary={0}";
        var parts = random.Next(1, 3);
        var tiny = false;
        var applied = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Mutations[random.Next(Mutations.Length)]).ToList();
        foreach (var mutation in applied)
        {
            switch (mutation)
            {
                case "boundary": declaredBoundary = random.Next(2) == 0 ? "other" : boundary[..^1]; break;
                case "disposition": partHeaders[0] = Pick(random, ["Content-Disposition: form-data", "Content-Disposition: attachment; name=\"posters\"", "Content-Disposition: form-data; name=posters; filename=", "Content-Disposition:"]); break;
                case "name": partHeaders[0] = $"Content-Disposition: form-data; name=\"{Pick(random, ["", "poster", "POSTERS", "x\u0000y", new string('n', 5000)])}\"; filename=\"p.jpg\""; break;
                case "filename": partHeaders[0] = $"Content-Disposition: form-data; name=\"posters\"; filename=\"{Pick(random, ["", "../../etc/passwd", "a\\b.jpg", "\u00e9\u4e2d.jpg", new string('f', 10_000)])}\""; break;
                case "content-type": contentType = Pick(random, ["multipart/form-data", "multipart/mixed; boundary={0}", "text/plain", "multipart/form-data; boundary=\"{0}\"; charset=utf-8", "multipart/form-data; boundary="]); break;
                case "part-headers": partHeaders.Add(Pick(random, ["Content-Length: 5", "Content-Transfer-Encoding: base64", "X: " + new string('h', 20_000), ": no name"])); break;
                case "many-parts": parts = random.Next(3, 40); break;
                case "tiny-parts": (parts, tiny) = (random.Next(30, 3000), true); break;
                case "header-count": partHeaders.AddRange(Enumerable.Range(0, random.Next(12, 40)).Select(h => $"X-Extra-{h}: {h}")); break;
                case "long-boundary": boundary = declaredBoundary = new string('b', random.Next(60, 300)); break;
                case "long-header": partHeaders[0] = $"Content-Disposition: form-data; name=\"posters\"; filename=\"{new string('f', random.Next(15_000, 40_000))}.jpg\""; break;
            }
        }

        var body = new MemoryStream();
        for (var p = 0; p < parts; p++)
        {
            body.Write(Encoding.UTF8.GetBytes($"--{boundary}\r\n{string.Join("\r\n", partHeaders)}\r\n\r\n"));
            body.Write(tiny ? [(byte)p] : posters[random.Next(posters.Length)]);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        var bytes = body.ToArray();
        foreach (var mutation in applied)
        {
            bytes = mutation switch
            {
                "flip" => Flip(random, bytes),
                "cut" => bytes[..random.Next(bytes.Length)],
                "repeat" => Repeat(random, bytes),
                "drop" => Drop(random, bytes),
                _ => bytes,
            };
        }

        var length = applied.Contains("length-short") ? random.Next(bytes.Length) : bytes.Length;
        var head = $"POST /api/v1/predictions?model=poster-genre-fast HTTP/1.1\r\nHost: localhost\r\nContent-Type: {string.Format(contentType, declaredBoundary)}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n";
        return (head, bytes[..Math.Min(length, bytes.Length)], applied);
    }

    private static async Task<string> SendAsync(Uri server, string head, byte[] body)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(head), timeout.Token);
            await stream.WriteAsync(body, timeout.Token);
            var status = await new StreamReader(stream).ReadLineAsync(timeout.Token);
            return status is { Length: >= 12 } && status.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? status[9..12] : "closed without an answer";
        }
        catch (OperationCanceledException)
        {
            return "hang";
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return "connection reset";
        }
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    private static byte[] Flip(Random random, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var k = random.Next(1, 32); k > 0 && copy.Length > 0; k--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] Repeat(Random random, byte[] bytes)
    {
        var start = random.Next(bytes.Length);
        var length = random.Next(Math.Min(4096, bytes.Length - start) + 1);
        return [.. bytes[..(start + length)], .. bytes[start..]];
    }

    private static byte[] Drop(Random random, byte[] bytes)
    {
        var start = random.Next(bytes.Length);
        var length = random.Next(Math.Min(4096, bytes.Length - start) + 1);
        return [.. bytes[..start], .. bytes[(start + length)..]];
    }
}
