using PosterGenre.Training.Data;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Tests;

public sealed class EpochSamplerTests
{
    // 100 posters: genre 0 on all of them, genre 1 on the first 25, genre 2 on the first 4.
    private static readonly PosterRecord[] Posters =
        [.. Enumerable.Range(0, 100).Select(i => new PosterRecord($"tt{i}", "", [true, i < 25, i < 4]))];

    private static readonly int[] Train = [.. Enumerable.Range(0, 100)];

    [Fact]
    public void WithoutAThresholdEachEpochIsAShuffleOfEveryPosterAsBefore()
    {
        var sampler = new EpochSampler(Posters, Train, threshold: 0);

        var order = sampler.NextEpoch(new Random(3));

        // The order every run drew before the sampler existed, from the same seed.
        var earlier = new Random(3);
        Assert.Equal([.. Train.OrderBy(_ => earlier.Next())], order);
    }

    [Fact]
    public void GenresRarerThanTheThresholdGetTheSquareRootFactor()
    {
        var sampler = new EpochSampler(Posters, Train, threshold: 0.16);

        // Shares 1, 0.25 and 0.04: only genre 2 is below 0.16, sqrt(0.16 / 0.04) = 2.
        Assert.Equal([1, 1, 2], sampler.GenreFactors, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(1.04, sampler.Expansion, 12);
    }

    [Fact]
    public void RarePostersAreDrawnMoreOftenAndAnEpochKeepsItsLength()
    {
        // Factor sqrt(0.25 / 0.04) = 2.5 for the 4 posters of genre 2: 2 or 3 copies each epoch.
        var sampler = new EpochSampler(Posters, Train, threshold: 0.25);
        var random = new Random(11);
        var counts = new int[100];
        const int Epochs = 200;
        for (var e = 0; e < Epochs; e++)
        {
            var order = sampler.NextEpoch(random);
            Assert.Equal(100, order.Length);
            foreach (var i in order)
            {
                counts[i]++;
            }
        }

        // Expected per epoch: 2.5 / 1.06 for a rare poster, 1 / 1.06 for the others (the cut).
        var rare = counts.Take(4).Average() / Epochs;
        var common = counts.Skip(4).Average() / Epochs;
        Assert.InRange(rare, 2.2, 2.5);
        Assert.InRange(common, 0.9, 0.97);
    }

    [Fact]
    public void TheSameSeedGivesTheSameEpochs()
    {
        var sampler = new EpochSampler(Posters, Train, threshold: 0.25);

        Assert.Equal(sampler.NextEpoch(new Random(5)), sampler.NextEpoch(new Random(5)));
        Assert.NotEqual(sampler.NextEpoch(new Random(5)), sampler.NextEpoch(new Random(6)));
    }
}
