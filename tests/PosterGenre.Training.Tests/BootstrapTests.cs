using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

public sealed class BootstrapTests
{
    private static readonly float[] Thresholds = [0.5f, 0.5f, 0.5f];
    private static readonly bool[] AllInMacro = [true, true, true];

    /// <summary>Three genres; scores that rank the positives higher with noise <paramref name="noise"/>.</summary>
    private static (float[][] Probabilities, bool[][] Labels) Posters(int n, double noise, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(_ => new[] { random.NextDouble() < 0.5, random.NextDouble() < 0.3, random.NextDouble() < 0.2 }).ToArray();
        var probabilities = labels.Select(l => l.Select(y => (float)Math.Clamp((y ? 0.6 : 0.4) + ((random.NextDouble() - 0.5) * noise), 0, 1)).ToArray()).ToArray();
        return (probabilities, labels);
    }

    [Theory]
    [InlineData(0.5, 2.5)]
    [InlineData(0.025, 1.075)]
    [InlineData(0, 1)]
    [InlineData(1, 4)]
    public void PercentilesInterpolateBetweenRanks(double q, double expected) =>
        Assert.Equal(expected, Bootstrap.Percentile([4, 1, 3, 2], q), 12);

    [Fact]
    public void APerfectRankingHasAucOneOnEveryResample()
    {
        var (probabilities, labels) = Posters(200, noise: 0.1, seed: 1);

        var replicates = new Bootstrap(200, 100, seed: 2).Replicates(probabilities, labels, Thresholds, AllInMacro);

        Assert.All(replicates[0], auc => Assert.Equal(1, auc, 12));
        Assert.All(replicates[1], ap => Assert.Equal(1, ap, 12));
    }

    [Fact]
    public void ResamplesCentreOnTheEvaluatorsFigures()
    {
        var (probabilities, labels) = Posters(400, noise: 0.6, seed: 3);
        var point = Evaluator.Evaluate("m", ["a", "b", "c"], probabilities, labels, Thresholds, minPositivesForMacro: 1).Summary;

        var replicates = new Bootstrap(400, 400, seed: 4).Replicates(probabilities, labels, Thresholds, AllInMacro);
        var intervals = Bootstrap.Intervals(replicates);

        for (var m = 0; m < Bootstrap.Metrics.Length; m++)
        {
            var figure = point[Bootstrap.Metrics[m]];
            Assert.InRange(replicates[m].Average(), figure - 0.01, figure + 0.01);
            Assert.InRange(figure, intervals[m].Low, intervals[m].High);
            Assert.True(intervals[m].High - intervals[m].Low > 0.01, $"{Bootstrap.Metrics[m]}: 400 noisy posters should leave some doubt");
        }
    }

    [Fact]
    public void MorePostersGiveNarrowerIntervals()
    {
        static double Width(int n)
        {
            var (probabilities, labels) = Posters(n, noise: 0.6, seed: 5);
            var interval = Bootstrap.Intervals(new Bootstrap(n, 300, seed: 6).Replicates(probabilities, labels, Thresholds, AllInMacro))[0];
            return interval.High - interval.Low;
        }

        // The width shrinks as 1 / sqrt(n): 16 times the posters, about a quarter of the width.
        Assert.InRange(Width(2400) / Width(150), 0.15, 0.4);
    }

    [Fact]
    public void AModelComparedWithItselfDiffersByExactlyNothing()
    {
        var (probabilities, labels) = Posters(300, noise: 0.6, seed: 7);
        var bootstrap = new Bootstrap(300, 200, seed: 8);
        var a = bootstrap.Replicates(probabilities, labels, Thresholds, AllInMacro);
        var b = bootstrap.Replicates(probabilities, labels, Thresholds, AllInMacro);

        Assert.All(Bootstrap.DifferenceIntervals(a, b), d => Assert.Equal(new Interval(0, 0), d));
    }

    [Fact]
    public void TheMacroAverageKeepsTheGenresItWasGiven()
    {
        var (probabilities, labels) = Posters(300, noise: 0.6, seed: 9);
        var bootstrap = new Bootstrap(300, 50, seed: 10);

        var onlyFirst = bootstrap.Replicates(probabilities, labels, Thresholds, [true, false, false]);
        var firstAlone = bootstrap.Replicates([.. probabilities.Select(p => p[..1])], [.. labels.Select(l => l[..1])], Thresholds[..1], [true]);

        Assert.Equal(firstAlone[0], onlyFirst[0]);
    }
}
