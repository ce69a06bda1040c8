namespace PosterGenre.Training.Evaluation;

/// <summary>
/// Whether a probability means what it says: every (poster, genre) probability pooled into equal-width
/// bins, each bin's mean probability against how often its genres were right, and the expected
/// calibration error (Naeini et al. 2015; Guo et al. 2017): the count-weighted mean gap.
/// </summary>
public static class Calibration
{
    public static CalibrationBin[] Bins(float[][] probabilities, bool[][] labels, int bins = 10)
    {
        var count = new int[bins];
        var sum = new double[bins];
        var hits = new int[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            for (var g = 0; g < probabilities[i].Length; g++)
            {
                var p = probabilities[i][g];
                var b = Math.Min(bins - 1, (int)(p * bins));
                count[b]++;
                sum[b] += p;
                hits[b] += labels[i][g] ? 1 : 0;
            }
        }

        return [.. Enumerable.Range(0, bins).Select(b => new CalibrationBin(
            b / (double)bins, (b + 1) / (double)bins, count[b], count[b] == 0 ? double.NaN : sum[b] / count[b], count[b] == 0 ? double.NaN : hits[b] / (double)count[b]))];
    }

    public static double ExpectedError(IReadOnlyList<CalibrationBin> bins)
    {
        var total = bins.Sum(b => b.Count);
        return bins.Where(b => b.Count > 0).Sum(b => b.Count * Math.Abs(b.MeanProbability - b.Observed)) / total;
    }
}
