using System.Net;
using System.Text.Json;

namespace PosterGenre.Api.Tests;

/// <summary>
/// A client that trickles its upload holds only its own connection: the body is read before the
/// request takes a place in the prediction queue, and an upload that does not arrive in time is
/// answered 408 problem+json. Over real Kestrel on loopback: the in-memory test server hands a
/// request to the service only once its whole body is sent, so a stall could not be seen there.
/// </summary>
public sealed class SlowUploadTests
{
    [Fact]
    public async Task StalledUploadsDoNotDelayANormalRequest()
    {
        // One prediction at a time and no queue: if a stalled upload held the slot, the normal request would get 503.
        using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["PosterGenre:Load:MaxConcurrentRequests"] = "1",
            ["PosterGenre:Load:MaxQueuedRequests"] = "0",
        });
        using var client = Started(factory);
        var stalled = new List<HalfSentUpload>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                stalled.Add(await HalfSentUpload.StartAsync(client.BaseAddress!.Host, client.BaseAddress.Port));
            }

            await Task.Delay(1000);

            using var normal = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id)).WaitAsync(TimeSpan.FromSeconds(20));

            Assert.True(normal.StatusCode == HttpStatusCode.OK, await normal.Content.ReadAsStringAsync());
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task AnUploadThatNeverFinishesIsAnswered408()
    {
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:BodyTimeoutSeconds"] = "1" });
        using var client = Started(factory);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Half the body, then nothing: the answer must come anyway, and the connection close.
        using var upload = await HalfSentUpload.StartAsync(client.BaseAddress!.Host, client.BaseAddress.Port);
        var answer = await new StreamReader(upload.Stream).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.StartsWith("HTTP/1.1 408", answer);
        Assert.Contains("application/problem+json", answer);
        Assert.Contains("BodyTimeoutSeconds", answer);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    private static HttpClient Started(ApiFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        return factory.CreateClient();
    }
}
