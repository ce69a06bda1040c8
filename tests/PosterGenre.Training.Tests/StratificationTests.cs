using PosterGenre.Training.Data;

namespace PosterGenre.Training.Tests;

public sealed class StratificationTests
{
    private static bool[][] Labels(int n, int seed)
    {
        var random = new Random(seed);
        double[] prevalence = [0.5, 0.3, 0.1, 0.03, 0.01];
        return [.. Enumerable.Range(0, n).Select(_ => prevalence.Select(p => random.NextDouble() < p).ToArray())];
    }

    [Fact]
    public void SameSeedGivesTheSameSplitAndAnotherSeedAnother()
    {
        var labels = Labels(600, 1);

        var a = IterativeStratification.Split(labels, [0.7, 0.15, 0.15], seed: 42);
        var b = IterativeStratification.Split(labels, [0.7, 0.15, 0.15], seed: 42);
        var c = IterativeStratification.Split(labels, [0.7, 0.15, 0.15], seed: 43);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void EverySubsetGetsItsShareOfEveryGenre()
    {
        var labels = Labels(2000, 2);
        double[] ratios = [0.7, 0.15, 0.15];

        var split = IterativeStratification.Split(labels, ratios, seed: 5);

        for (var s = 0; s < 3; s++)
        {
            Assert.InRange(split.Count(x => x == s) / 2000.0, ratios[s] - 0.02, ratios[s] + 0.02);
        }

        for (var g = 0; g < 5; g++)
        {
            var positives = Enumerable.Range(0, 2000).Where(i => labels[i][g]).ToArray();
            for (var s = 0; s < 3; s++)
            {
                var share = positives.Count(i => split[i] == s);
                var expected = positives.Length * ratios[s];

                // Iterative stratification places each genre's positives within one or two of their share.
                Assert.InRange(share, expected - 2, expected + 2);
            }
        }
    }

    [Fact]
    public void SplitRoundTripsThroughItsCsv()
    {
        using var data = SyntheticDataset.Create(30);
        var posters = PosterDataset.Load(data.Root).Posters;
        var split = DatasetSplit.Create(posters, seed: 3);
        var path = Path.Combine(data.Root, DatasetSplit.FileName);

        split.Save(path);

        Assert.Equal(split.Assignment.OrderBy(a => a.Key), DatasetSplit.Load(path).Assignment.OrderBy(a => a.Key));
    }
}
