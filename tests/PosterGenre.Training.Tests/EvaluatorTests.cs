using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

public sealed class EvaluatorTests
{
    private static readonly string[] Genres = ["A", "B", "C", "D"];

    [Fact]
    public void TopKCountsHitsPrecisionAndRecall()
    {
        float[][] p = [[0.9f, 0.8f, 0.7f, 0.1f], [0.1f, 0.2f, 0.3f, 0.9f]];
        bool[][] y = [[true, false, false, true], [true, false, false, false]];

        var (precision, recall, hit) = Evaluator.TopK(p, y, 3);

        // Poster 1: top3 {A,B,C} holds A: 1/3 precision, 1/2 recall. Poster 2: top3 {D,C,B}: nothing.
        Assert.Equal((1.0 / 3) / 2, precision, 10);
        Assert.Equal(0.5 / 2, recall, 10);
        Assert.Equal(0.5, hit, 10);
    }

    [Fact]
    public void EachGenreReportsItsMeanProbabilityBesideItsShareOfPosters()
    {
        float[][] p = [[0.9f, 0.2f, 0.7f, 0.1f], [0.5f, 0.2f, 0.3f, 0.9f]];
        bool[][] y = [[true, false, false, true], [true, false, false, false]];

        var result = Evaluator.Evaluate("m", Genres, p, y, [0.5f, 0.5f, 0.5f, 0.5f], minPositivesForMacro: 1);

        // A: mean 0.7 on a genre every poster has (reads low); B: 0.2 on one no poster has (reads high).
        Assert.Equal([0.7, 0.2, 0.5, 0.5], result.Genres.Select(g => Math.Round(g.MeanProbability, 6)));
        Assert.Contains("| A * | 2 | 1.000 | 0.700 |", Reporting.ReportWriter.Table([result], "t"));
        Assert.Contains("| D | 1 | 0.500 | 0.500 |", Reporting.ReportWriter.Table([result], "t"));
    }

    [Fact]
    public void OneToThreeRuleFillsEmptyPredictionsAndCapsLongOnes()
    {
        float[][] p = [[0.1f, 0.2f, 0.3f, 0.05f], [0.9f, 0.9f, 0.9f, 0.9f]];
        bool[][] y = [[false, false, true, false], [true, true, true, false]];
        float[] thresholds = [0.5f, 0.5f, 0.5f, 0.5f];

        var result = Evaluator.Evaluate("m", Genres, p, y, thresholds, minPositivesForMacro: 1);

        // With the rule: poster 1 -> {C} (most probable), poster 2 -> {A,B,C} (ties keep genre order): both exact.
        Assert.Equal(1.0, result.Summary["exactMatch"], 10);
        Assert.Equal(2.0, result.Summary["meanPredicted"], 10);

        // Without it: poster 1 -> {}, poster 2 -> {A,B,C,D}: neither exact; one empty answer.
        Assert.Equal(0.0, result.Summary["exactMatchNoRule"], 10);
        Assert.Equal(0.5, result.Summary["emptyPredictionsNoRule"], 10);
    }

    [Fact]
    public void MacroAveragesLeaveOutRareGenresAndNameThem()
    {
        var random = new Random(1);
        var n = 40;
        var p = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => new[] { i % 2 == 0, i % 3 == 0, i < 3, i % 4 == 0 }).ToArray();

        var result = Evaluator.Evaluate("m", Genres, p, y, [0.5f, 0.5f, 0.5f, 0.5f]);

        Assert.Equal(["C"], result.ExcludedFromMacro);
        var expected = result.Genres.Where(g => g.Genre != "C").Average(g => g.RocAuc);
        Assert.Equal(expected, result.Summary["macroRocAuc"], 10);
    }

    [Fact]
    public void F1ThresholdSitsBetweenTheBestScoreAndTheNext()
    {
        // Scores 0.9(+), 0.7(+), 0.4(-), 0.3(-), 0.2(+): F1 is 0.5, 0.8, 0.67, 0.57, 0.75 at each cut; best after 0.7.
        var t = Thresholds.BestF1Threshold([0.9f, 0.7f, 0.4f, 0.3f, 0.2f], [true, true, false, false, true]);

        Assert.Equal(0.55f, t, 5);
    }

    [Fact]
    public void GenreWithoutPositivesGetsThresholdOne()
    {
        Assert.Equal(1f, Thresholds.BestF1Threshold([0.9f, 0.1f], [false, false]));
    }
}
