using SkiaSharp;

namespace PosterGenre.Imaging.Tests;

/// <summary>The process-wide bound on decoded frames: reserved before decoding, returned after, waited for, refused past it.</summary>
public sealed class DecodeBudgetTests
{
    private static readonly PreprocessingSpec Spec = Fixtures.Spec(32, 48);

    [Fact]
    public void ADecodeReservesItsFramesAndGivesThemBack()
    {
        var budget = new DecodeBudget(64L << 20);
        var preprocessor = new PosterPreprocessor(Spec, new ImageLimits(40_000_000, budget, TimeSpan.FromSeconds(1)));

        Assert.Equal(Spec.PixelLength, preprocessor.ToRgb(FlatPng(2000, 3000)).Length);

        Assert.Equal(budget.CapacityBytes, budget.AvailableBytes);
    }

    [Fact]
    public void AFrameLargerThanTheWholeBudgetIsRefusedAtOnce()
    {
        // 2000 x 3000 RGBA is 24 MB per frame, 48 MB with its upright copy.
        var budget = new DecodeBudget(32L << 20);
        var preprocessor = new PosterPreprocessor(Spec, new ImageLimits(40_000_000, budget, TimeSpan.FromSeconds(30)));

        var e = Assert.Throws<PosterImageException>(() => preprocessor.ToRgb(FlatPng(2000, 3000)));

        Assert.Equal(PosterImageError.TooManyPixels, e.Error);
        Assert.Contains("decode budget", e.Message);
        Assert.Equal(budget.CapacityBytes, budget.AvailableBytes);
    }

    [Fact]
    public void ADecodeWaitsForTheBudgetAndIsRefusedWhenItDoesNotFreeUp()
    {
        var budget = new DecodeBudget(100);
        using (budget.Reserve(80, TimeSpan.Zero))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = Assert.Throws<PosterImageException>(() => budget.Reserve(40, TimeSpan.FromMilliseconds(200)));

            Assert.Equal(PosterImageError.DecoderBusy, e.Error);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150));
        }

        using var after = budget.Reserve(40, TimeSpan.Zero);
        Assert.Equal(60, budget.AvailableBytes);
    }

    [Fact]
    public async Task AWaitingDecodeGoesAheadWhenAnotherFinishes()
    {
        var budget = new DecodeBudget(100);
        var first = budget.Reserve(80, TimeSpan.Zero);
        var second = Task.Run(() => budget.Reserve(40, TimeSpan.FromSeconds(10)));
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        first.Dispose();

        using var reserved = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(60, budget.AvailableBytes);
    }

    [Fact]
    public void ConcurrentLargeDecodesStayWithinTheBudget()
    {
        // Room for one 2000 x 3000 decode at a time: eight at once take turns, and all succeed.
        var budget = new DecodeBudget(60L << 20);
        var preprocessor = new PosterPreprocessor(Spec, new ImageLimits(40_000_000, budget, TimeSpan.FromSeconds(60)));
        var png = FlatPng(2000, 3000);
        long lowest = budget.CapacityBytes;
        using var watch = new Timer(_ => Interlocked.Exchange(ref lowest, Math.Min(Interlocked.Read(ref lowest), budget.AvailableBytes)), null, 0, 1);

        Parallel.For(0, 8, _ => Assert.Equal(Spec.PixelLength, preprocessor.ToRgb(png).Length));

        Assert.InRange(Interlocked.Read(ref lowest), 0, budget.CapacityBytes);
        Assert.Equal(budget.CapacityBytes, budget.AvailableBytes);
    }

    /// <summary>A valid, flat (so tiny when compressed) PNG of the given size.</summary>
    internal static byte[] FlatPng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(new SKColor(30, 120, 200));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
