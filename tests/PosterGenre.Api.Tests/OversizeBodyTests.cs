using System.Net.Sockets;
using System.Text;

namespace PosterGenre.Api.Tests;

/// <summary>
/// A client that sends a body over the limit without <c>Expect: 100-continue</c> (as most HTTP
/// libraries do) reads the 413 problem+json, not a connection reset. Over real Kestrel on loopback.
/// </summary>
public sealed class OversizeBodyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnOversizeBodySentWithoutExpectGetsIts413(bool declaredLength)
    {
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxRequestBytes"] = "1048576" });
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var stream = tcp.GetStream();
        var boundary = "oversize";
        var body = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"posters\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n")
            .Concat(new byte[3 * 1048576]).Concat(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")).ToArray();
        var length = declaredLength ? $"Content-Length: {body.Length}" : "Transfer-Encoding: chunked";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/v1/predictions HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n{length}\r\n\r\n"));

        // Send it all, as a client that does not look for an early answer does; then read.
        var send = declaredLength ? stream.WriteAsync(body).AsTask() : WriteChunkedAsync(stream, body);
        var answer = ReadAnswerAsync(stream);
        await Task.WhenAny(send, Task.Delay(TimeSpan.FromSeconds(20)));

        var text = await answer.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("HTTP/1.1 413", text);
        Assert.Contains("application/problem+json", text);
        Assert.Contains("larger than 1.0 MB", text);
    }

    /// <summary>The answer up to the end of its problem+json body (the connection may stay open).</summary>
    private static async Task<string> ReadAnswerAsync(Stream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (text.ToString().TrimEnd().EndsWith('}'))
            {
                break;
            }
        }

        return text.ToString();
    }

    private static async Task WriteChunkedAsync(Stream stream, byte[] body)
    {
        for (var offset = 0; offset < body.Length; offset += 65536)
        {
            var size = Math.Min(65536, body.Length - offset);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:X}\r\n"));
            await stream.WriteAsync(body.AsMemory(offset, size));
            await stream.WriteAsync("\r\n"u8.ToArray());
        }

        await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
    }
}
