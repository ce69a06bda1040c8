namespace PosterGenre.Imaging;

/// <summary>Limits checked on the header, before any pixel is decoded, and the memory decoding may use.</summary>
/// <param name="MaxPixels">
/// Largest width x height accepted. The default, 40 megapixels, is far above any poster scan yet
/// keeps one decoded RGBA frame under 160 MB, so a decompression bomb is refused before it is decoded.
/// </param>
/// <param name="Budget">The process-wide bound on decoded frames held at once (<see cref="DecodeBudget"/>); null: none.</param>
/// <param name="BudgetWait">How long a decode waits for <paramref name="Budget"/> before it is refused.</param>
public sealed record ImageLimits(long MaxPixels = 40_000_000, DecodeBudget? Budget = null, TimeSpan BudgetWait = default)
{
    public static ImageLimits Default { get; } = new();
}
