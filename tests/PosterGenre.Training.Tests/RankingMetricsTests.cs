using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

public sealed class RankingMetricsTests
{
    [Fact]
    public void PerfectRankingHasAucOne()
    {
        Assert.Equal(1.0, RankingMetrics.RocAuc([0.9f, 0.8f, 0.2f, 0.1f], [true, true, false, false]), 10);
    }

    [Fact]
    public void AucCountsPairsWithTiesAsHalf()
    {
        // Positives 0.8 and 0.4; negatives 0.6 and 0.4. Pairs: (0.8>0.6)=1, (0.8>0.4)=1, (0.4<0.6)=0, (0.4=0.4)=0.5.
        var auc = RankingMetrics.RocAuc([0.8f, 0.4f, 0.6f, 0.4f], [true, true, false, false]);

        Assert.Equal(2.5 / 4, auc, 10);
    }

    [Fact]
    public void AucIsUndefinedWithoutBothClasses()
    {
        Assert.True(double.IsNaN(RankingMetrics.RocAuc([0.1f, 0.2f], [false, false])));
    }

    [Fact]
    public void AveragePrecisionOfAKnownRanking()
    {
        // Ranked: +, -, +, -: precision 1 at recall 0.5, 2/3 at recall 1 -> 0.5 * 1 + 0.5 * 2/3.
        var ap = RankingMetrics.AveragePrecision([0.9f, 0.8f, 0.7f, 0.6f], [true, false, true, false]);

        Assert.Equal((0.5 * 1) + (0.5 * 2.0 / 3), ap, 10);
    }

    [Fact]
    public void AveragePrecisionTakesTiedScoresTogether()
    {
        // 0.9 (+), then a tie at 0.5 holding one + and one -: recall 0.5 -> 1 at precision 2/3.
        var ap = RankingMetrics.AveragePrecision([0.9f, 0.5f, 0.5f], [true, true, false]);

        Assert.Equal((0.5 * 1) + (0.5 * 2.0 / 3), ap, 10);
    }

    [Fact]
    public void AveragePrecisionOfConstantScoresIsThePrevalence()
    {
        Assert.Equal(0.25, RankingMetrics.AveragePrecision([0.3f, 0.3f, 0.3f, 0.3f], [true, false, false, false]), 10);
    }
}
