using System.Net.Sockets;
using System.Text;

namespace PosterGenre.Api.Tests;

/// <summary>
/// A real one-poster upload on its own connection, with its headers and half its body sent: what a
/// stalled or slow client leaves the service with. <see cref="SendRestAsync"/> sends the rest.
/// </summary>
internal sealed class HalfSentUpload : IDisposable
{
    private readonly TcpClient tcp;
    private readonly byte[] body;

    private HalfSentUpload(TcpClient tcp, byte[] body)
    {
        this.tcp = tcp;
        this.body = body;
    }

    public NetworkStream Stream => tcp.GetStream();

    public static async Task<HalfSentUpload> StartAsync(string host, int port, string? requestId = null)
    {
        var form = Fixtures.Posters(Fixtures.Labelled[0].Id);
        var body = await form.ReadAsByteArrayAsync();
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port);
        var id = requestId is null ? "" : $"X-Request-Id: {requestId}\r\n";
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"POST /api/v1/predictions HTTP/1.1\r\nHost: localhost\r\n{id}Content-Type: {form.Headers.ContentType}\r\nContent-Length: {body.Length}\r\n\r\n"));
        await tcp.GetStream().WriteAsync(body.AsMemory(0, body.Length / 2));
        return new HalfSentUpload(tcp, body);
    }

    public Task SendRestAsync() => Stream.WriteAsync(body.AsMemory(body.Length / 2)).AsTask();

    public void Dispose() => tcp.Dispose();
}
