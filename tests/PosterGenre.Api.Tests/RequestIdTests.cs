using System.Net;
using System.Text.Json;
using PosterGenre.Api.Observability;

namespace PosterGenre.Api.Tests;

/// <summary>Every answer carries the request's id: the client's when sane, else the trace id, else a new one.</summary>
public sealed class RequestIdTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ASaneClientIdIsEchoedAndWrittenIntoProblemJson()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/predictions?model=nope") { Content = Fixtures.Posters(Fixtures.Labelled[0].Id) };
        request.Headers.Add(RequestIds.Header, "client-42.retry:1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("client-42.retry:1", response.Headers.GetValues(RequestIds.Header).Single());
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("client-42.retry:1", problem.RootElement.GetProperty("requestId").GetString());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("line\u00e9")]
    [InlineData("<script>")]
    public async Task AnUnsafeClientIdIsReplaced(string unsafeId)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.TryAddWithoutValidation(RequestIds.Header, unsafeId);

        using var response = await client.SendAsync(request);

        var id = response.Headers.GetValues(RequestIds.Header).Single();
        Assert.NotEqual(unsafeId, id);
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public async Task AnOverlongClientIdIsReplaced()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add(RequestIds.Header, new string('a', RequestIds.MaxLength + 1));

        using var response = await client.SendAsync(request);

        Assert.Equal(32, response.Headers.GetValues(RequestIds.Header).Single().Length);
    }

    [Fact]
    public async Task WithoutAnIdTheW3CTraceIdIsUsed()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/models");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        using var response = await client.SendAsync(request);

        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", response.Headers.GetValues(RequestIds.Header).Single());
    }

    [Fact]
    public async Task EachRequestWithoutAnyGetsItsOwn()
    {
        using var client = factory.CreateClient();

        using var first = await client.GetAsync("/health/live");
        using var second = await client.GetAsync("/health/live");

        Assert.NotEqual(first.Headers.GetValues(RequestIds.Header).Single(), second.Headers.GetValues(RequestIds.Header).Single());
    }
}
