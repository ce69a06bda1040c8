using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PosterGenre.Api.Serving;
using SkiaSharp;

namespace PosterGenre.Api.Tests;

/// <summary>
/// The decode budget through the API: concurrent uploads of large, valid images take turns and are
/// all answered; an image that could never fit is a 413 problem, and a real poster is answered after.
/// </summary>
public sealed class DecodeBudgetApiTests
{
    private static readonly byte[] LargeFlatPng = FlatPng(2000, 3000);

    [Fact]
    public async Task ConcurrentLargeImagesTakeTurnsAndAreAllAnswered()
    {
        // Room for one 2000 x 3000 decode (48 MB with its upright copy) at a time.
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:DecodeBudgetBytes"] = (60L << 20).ToString() });
        using var client = factory.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.PostAsync("/api/v1/predictions?model=poster-genre-fast", Fixtures.Form([.. Enumerable.Range(0, 3).Select(j => ("posters", $"big-{i}-{j}.png", LargeFlatPng))]))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
    }

    [Fact]
    public async Task AnImageLargerThanTheBudgetIs413AndARealPosterIsAnsweredAfter()
    {
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:DecodeBudgetBytes"] = (8L << 20).ToString() });
        using var client = factory.CreateClient();

        using var big = await client.PostAsync("/api/v1/predictions", Fixtures.Form(("posters", "big.png", LargeFlatPng)));
        using var poster = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(Fixtures.Labelled[0].Id));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        var problem = await big.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Contains("decode budget", problem!.Detail);
        Assert.Equal(HttpStatusCode.OK, poster.StatusCode);
    }

    [Fact]
    public async Task FilesPastTheRequestsPixelBudgetAreRefusedAndTheOnesBeforeAnswered()
    {
        // 6 M pixels per image, 15 M per request: the first two are decoded, the third and fourth are not.
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:MaxDecodedPixelsPerRequest"] = "15000000" });
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/api/v1/predictions?model=poster-genre-fast", Fixtures.Form([.. Enumerable.Range(0, 4).Select(i => ("posters", $"big-{i}.png", LargeFlatPng))]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<PredictionResponseDto>())!.Results;
        Assert.Equal([null, null, "too-many-pixels", "too-many-pixels"], results.Select(r => r.Error?.Code));
        Assert.Contains("MaxDecodedPixelsPerRequest", results[2].Error!.Detail);
    }

    [Fact]
    public async Task ARequestWhoseFilesAllFailedIs503WithRetryAfterWhenOneFailedOnlyBecauseTheDecoderWasBusy()
    {
        // The whole budget held, as by another request's decode: a poster's decode finds no room.
        using var factory = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Uploads:DecodeWaitSeconds"] = "0" });
        using var client = factory.CreateClient();
        var budget = factory.Services.GetRequiredService<ModelRegistry>().DecodeBudget;
        var poster = Fixtures.Poster(Fixtures.Labelled[0].Id);

        HttpResponseMessage busy, permanent;
        using (budget.Reserve(budget.CapacityBytes, TimeSpan.Zero))
        {
            busy = await client.PostAsync("/api/v1/predictions", Fixtures.Form(("posters", "poster.jpg", poster), ("posters", "empty.jpg", [])));
            permanent = await client.PostAsync("/api/v1/predictions", Fixtures.Form(("posters", "empty.jpg", []), ("posters", "text.jpg", "not an image"u8.ToArray())));
        }

        using var retried = await client.PostAsync("/api/v1/predictions", Fixtures.Form(("posters", "poster.jpg", poster), ("posters", "empty.jpg", [])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), busy.Headers.RetryAfter?.Delta);
        var problem = await busy.Content.ReadFromJsonAsync<ProblemDto>();
        Assert.Equal("Decoder busy", problem!.Title);
        Assert.Contains("send the request again in 1 s", problem.Detail);
        Assert.Contains("'empty.jpg'", problem.Detail);
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, permanent.StatusCode);
        Assert.Null(permanent.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        busy.Dispose();
        permanent.Dispose();
    }

    private static byte[] FlatPng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(200, 40, 40));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
