namespace PosterGenre.Training.Evaluation;

/// <summary>
/// How far the headline metrics could move on another draw of test posters: the percentile
/// bootstrap (Efron and Tibshirani 1993, ch. 13) over posters, with every model scored on the same
/// resamples, so that the difference between two models gets its own interval (a paired bootstrap).
/// The macro averages keep the genres of the full evaluation, so a resample changes the posters,
/// never the definition of the metric.
/// </summary>
public sealed class Bootstrap
{
    public static readonly string[] Metrics = ["macroRocAuc", "macroAp", "microF1", "precisionAt3"];

    private readonly int[][] resamples;

    /// <param name="posters">Posters in the evaluated set.</param>
    /// <param name="samples">Resamples; 1,000 gives the 2.5th and 97.5th percentiles to about 0.002 here.</param>
    public Bootstrap(int posters, int samples, int seed)
    {
        var random = new Random(seed);
        resamples = [.. Enumerable.Range(0, samples).Select(_ => Enumerable.Range(0, posters).Select(_ => random.Next(posters)).ToArray())];
    }

    public int Samples => resamples.Length;

    /// <summary>Each of <see cref="Metrics"/> on every resample: [metric][resample].</summary>
    public double[][] Replicates(float[][] probabilities, bool[][] labels, float[] thresholds, bool[] inMacro, int minGenres = 1, int maxGenres = 3)
    {
        var genres = thresholds.Length;
        var predicted = Evaluator.PredictedSets(probabilities, thresholds, minGenres, maxGenres);
        var macroGenres = Enumerable.Range(0, genres).Where(g => inMacro[g]).ToArray();
        var values = Metrics.Select(_ => new double[resamples.Length]).ToArray();
        var scores = new float[probabilities.Length];
        var truth = new bool[probabilities.Length];
        for (var r = 0; r < resamples.Length; r++)
        {
            var sample = resamples[r];
            double auc = 0, ap = 0;
            foreach (var g in macroGenres)
            {
                for (var i = 0; i < sample.Length; i++)
                {
                    scores[i] = probabilities[sample[i]][g];
                    truth[i] = labels[sample[i]][g];
                }

                auc += RankingMetrics.RocAuc(scores, truth);
                ap += RankingMetrics.AveragePrecision(scores, truth);
            }

            var truthOf = sample.Select(i => labels[i]).ToArray();
            values[0][r] = auc / macroGenres.Length;
            values[1][r] = ap / macroGenres.Length;
            values[2][r] = Evaluator.MicroF1([.. sample.Select(i => predicted[i])], truthOf);
            values[3][r] = Evaluator.TopK([.. sample.Select(i => probabilities[i])], truthOf, 3).Precision;
        }

        return values;
    }

    /// <summary>The central 95% of the replicates, per metric.</summary>
    public static Interval[] Intervals(double[][] replicates) =>
        [.. replicates.Select(v => new Interval(Percentile(v, 0.025), Percentile(v, 0.975)))];

    /// <summary>The central 95% of the paired differences a - b, per metric.</summary>
    public static Interval[] DifferenceIntervals(double[][] a, double[][] b) =>
        Intervals([.. a.Zip(b, (x, y) => x.Zip(y, (p, q) => p - q).ToArray())]);

    /// <summary>Linear interpolation between the closest ranks (the usual "type 7" percentile).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double q)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
