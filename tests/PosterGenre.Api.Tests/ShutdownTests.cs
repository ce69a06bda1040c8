using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PosterGenre.Api.Tests;

/// <summary>
/// SIGTERM, as <c>docker stop</c> sends it, to the service in its own process: readiness turns 503
/// at once, a request in flight is still answered (its log line carries its request id), and the
/// process exits 0.
/// </summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task SigtermDrainsARequestInFlightAndExitsZero()
    {
        var port = FreePort();
        var dll = StartupTests.ApiDll();
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["PosterGenre__Shutdown__DrainDelaySeconds"] = "3";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await WaitForAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));

            // A request in flight: its headers and half its body are in when SIGTERM comes.
            using var upload = await HalfSentUpload.StartAsync("127.0.0.1", port, requestId: "drained-1");
            await Task.Delay(300);

            using (Process.Start("kill", ["-TERM", process.Id.ToString()]))
            {
            }

            await WaitForAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(2));
            await upload.SendRestAsync();
            var answer = await new StreamReader(upload.Stream).ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal("HTTP/1.1 200 OK", answer);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, process.ExitCode);
            var log = await output;
            Assert.Contains("Shutting down: readiness is 503", log);
            // The request's own log line carries its id (text format: after the level).
            Assert.Contains(log.Split('\n'), l => l.Contains("drained-1") && l.Contains("POST /api/v1/predictions responded 200"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"not within {limit.TotalSeconds} s");
    }
}
