using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PosterGenre.Api.Tests;

/// <summary>The upload page and Swagger UI, used as a person would, in a real browser.</summary>
public sealed class BrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string PosterId = "tt0085549";

    [Fact]
    public async Task UploadPageShowsTheTop3AndThePredictedSetOfAPoster()
    {
        var expected = await ExpectedAsync(PosterId);

        var (page, card, violations) = await UploadAsync(PosterId, height: 900);

        Assert.Equal(expected.Top3!.Select(t => t.Genre), await card.Locator(".top3 .label").AllTextContentsAsync());
        Assert.Equal(expected.Predicted, await card.Locator(".predicted .chip").AllTextContentsAsync());
        Assert.Equal(25, await card.Locator(".all li").CountAsync());
        Assert.StartsWith("resnet18-imagenet (int8), 192x288 input", await page.Locator("#model-info").TextContentAsync());
        Assert.EndsWith(", calibrated percentages", await page.Locator("#model-info").TextContentAsync());
        await page.SelectOptionAsync("#model", "seed-baseline");
        Assert.DoesNotContain("calibrated", await page.Locator("#model-info").TextContentAsync());
        await page.SelectOptionAsync("#model", "poster-genre");
        await card.Locator("details summary").ClickAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "upload-page.png"), FullPage = true });
        // The page works under its content security policy: the poster (a blob: URL) is shown.
        Assert.True(await card.Locator(".poster").EvaluateAsync<int>("img => img.naturalWidth") > 0, "the poster image did not load");
        Assert.Empty(violations);
    }

    [Fact]
    public async Task UploadPageShowsWhereItSeesEachOfTheTop3()
    {
        var expected = await ExpectedAsync(PosterId);
        var (_, card, violations) = await UploadAsync(PosterId, height: 700);
        var heat = card.Locator(".heat");
        await Assertions.Expect(heat).ToBeHiddenAsync();

        await card.Locator(".explain").ClickAsync();

        await Assertions.Expect(card.Locator(".where-text")).ToContainTextAsync($"Where it sees {expected.Top3![0].Genre}:");
        await Assertions.Expect(heat).ToBeVisibleAsync();
        Assert.Equal(new[] { 6, 9 }, await heat.EvaluateAsync<int[]>("c => [c.width, c.height]"));
        var strongest = await heat.EvaluateAsync<int>("c => Math.max(...c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 3))");
        Assert.Equal(190, strongest);
        await card.Locator(".top3 .bar").Nth(1).ClickAsync();
        await Assertions.Expect(card.Locator(".where-text")).ToContainTextAsync($"Where it sees {expected.Top3[1].Genre}:");
        await Assertions.Expect(card.Locator(".top3 .bar").Nth(1)).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(card.Locator(".top3 .bar").Nth(0)).ToHaveAttributeAsync("aria-pressed", "false");
        await card.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "upload-page-where.png") });
        Assert.Empty(violations);
    }

    [Fact]
    public async Task UploadPageShowsPostersLikeIt()
    {
        var (page, card, violations) = await UploadAsync(PosterId, height: 900);

        var thumbnails = card.Locator(".similar .neighbours img");
        await Assertions.Expect(thumbnails).ToHaveCountAsync(6);
        await Assertions.Expect(card.Locator(".similar-text")).ToContainTextAsync("Nearest of 6 catalogue posters");
        // The catalogue holds the uploaded poster too: it comes first, as alike as can be.
        Assert.StartsWith($"{PosterId}: similarity 1.00", await thumbnails.First.GetAttributeAsync("title"));
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.card .neighbours img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.All(await thumbnails.EvaluateAllAsync<int[]>("imgs => imgs.map(i => i.naturalWidth)"), w => Assert.Equal(96, w));
        await card.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "upload-page-similar.png") });
        Assert.Empty(violations);
    }

    [Fact]
    public async Task UploadPageExplainsAFileThatIsNotAnImage()
    {
        var page = await browser.Browser.NewPageAsync();
        await page.GotoAsync(browser.BaseUrl + "/");

        await page.SetInputFilesAsync("#files", Path.Combine(Fixtures.Dir, "images", "not-an-image.txt"));

        await Assertions.Expect(page.Locator(".card.error .error-text")).ToContainTextAsync("not an image in a supported format");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("not an image");
    }

    [Fact]
    public async Task UploadPageIsUsableOnAPhoneSizedScreen()
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
        await page.GotoAsync(browser.BaseUrl + "/");

        await page.SetInputFilesAsync("#files", Fixtures.PosterPath("tt0085154"));

        var card = page.Locator(".card").First;
        await Assertions.Expect(card.Locator(".top3 .label")).ToHaveCountAsync(3);
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"the page scrolls sideways on a phone ({width}px wide)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "upload-page-phone.png"), FullPage = true });
    }

    [Fact]
    public async Task SwaggerTryItOutUploadsAPosterAndShowsTheAnswer()
    {
        var expected = await ExpectedAsync(PosterId);
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 1400 } });
        await page.GotoAsync(browser.BaseUrl + "/swagger/index.html");

        var operation = page.Locator("#operations-Predictions-PredictGenres");
        await operation.Locator(".opblock-summary").ClickAsync();
        await operation.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
        var addItem = operation.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("Add .*item") });
        if (await operation.Locator("input[type=file]").CountAsync() == 0)
        {
            await addItem.First.ClickAsync();
        }

        await operation.Locator("input[type=file]").First.SetInputFilesAsync(Fixtures.PosterPath(PosterId));
        await operation.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();

        var body = operation.Locator(".live-responses-table .response-col_description pre").First;
        await Assertions.Expect(body).ToContainTextAsync("\"top3\"", new() { Timeout = 20_000 });
        var text = await body.TextContentAsync();
        foreach (var genre in expected.Predicted!)
        {
            Assert.Contains($"\"{genre}\"", text);
        }

        await Assertions.Expect(operation.Locator(".live-responses-table .response .response-col_status").First).ToHaveTextAsync("200");
        await body.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "swagger-try-it-out.png") });
    }

    /// <summary>
    /// Opens the upload page at 1100 px wide, uploads one poster and waits for its card's top 3;
    /// collects what the browser reports as content security policy violations.
    /// </summary>
    private async Task<(IPage Page, ILocator Card, List<string> Violations)> UploadAsync(string id, int height)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = height } });
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        await page.GotoAsync(browser.BaseUrl + "/");
        await Assertions.Expect(page.Locator("#model option")).ToHaveCountAsync(4);
        await page.SetInputFilesAsync("#files", Fixtures.PosterPath(id));
        var card = page.Locator(".card").First;
        await Assertions.Expect(card.Locator(".top3 .label")).ToHaveCountAsync(3);
        return (page, card, violations);
    }

    private async Task<PosterResultDto> ExpectedAsync(string id)
    {
        using var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        var response = await client.PostAsync("/api/v1/predictions", Fixtures.Posters(id));
        return (await response.Content.ReadFromJsonAsync<PredictionResponseDto>())!.Results[0];
    }
}
