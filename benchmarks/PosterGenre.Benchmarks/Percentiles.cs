namespace PosterGenre.Benchmarks;

internal static class Percentiles
{
    /// <summary>The q-quantile of sorted values (nearest rank); NaN for none.</summary>
    public static double Of(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
