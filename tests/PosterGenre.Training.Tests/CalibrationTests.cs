using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

public sealed class CalibrationTests
{
    [Fact]
    public void BinsCountAverageAndScoreEveryPair()
    {
        // Six (poster, genre) pairs: 0.05 and 0.15 wrong; 0.12 right; 0.9, 0.95 right; 1.0 wrong.
        float[][] probabilities = [[0.05f, 0.9f], [0.15f, 0.95f], [0.12f, 1.0f]];
        bool[][] labels = [[false, true], [false, true], [true, false]];

        var bins = Calibration.Bins(probabilities, labels);

        Assert.Equal(10, bins.Length);
        Assert.Equal([1, 2, 0, 0, 0, 0, 0, 0, 0, 3], bins.Select(b => b.Count));
        Assert.Equal(0.135, bins[1].MeanProbability, 6);
        Assert.Equal(0.5, bins[1].Observed, 12);
        Assert.Equal(2 / 3.0, bins[9].Observed, 12);
        Assert.True(double.IsNaN(bins[5].Observed));

        // (1 x |0.05 - 0| + 2 x |0.135 - 0.5| + 3 x |0.95 - 2/3|) / 6
        var expected = ((1 * 0.05) + (2 * 0.365) + (3 * ((0.9 + 0.95 + 1.0) / 3 - (2 / 3.0)))) / 6;
        Assert.Equal(expected, Calibration.ExpectedError(bins), 6);
    }

    [Fact]
    public void ProbabilitiesThatComeTrueAsOftenAsTheySayHaveAlmostNoError()
    {
        var random = new Random(1);
        var probabilities = Enumerable.Range(0, 20_000).Select(_ => new[] { (float)random.NextDouble() }).ToArray();
        var labels = probabilities.Select(p => new[] { random.NextDouble() < p[0] }).ToArray();
        var overconfident = probabilities.Select(p => new[] { p[0] < 0.5f ? p[0] / 2 : 0.5f + (p[0] / 2) }).ToArray();

        Assert.InRange(Calibration.ExpectedError(Calibration.Bins(probabilities, labels)), 0, 0.02);
        Assert.InRange(Calibration.ExpectedError(Calibration.Bins(overconfident, labels)), 0.1, 0.3);
    }
}
