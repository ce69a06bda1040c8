using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

public sealed class PlattScalingTests
{
    [Theory]
    [InlineData(0.6, -0.8)]
    [InlineData(1.5, 0.3)]
    public void FitRecoversTheScaleAndBiasThatMadeTheLabels(double scale, double bias)
    {
        // The network says sigmoid(z); the truth comes true with sigmoid(scale x z + bias).
        var (probabilities, labels) = Pairs(30_000, seed: 3, z => Sigmoid((scale * z) + bias));

        var fitted = PlattScaling.Fit(probabilities, labels);

        Assert.Equal(scale, fitted.Scale, 0.06);
        Assert.Equal(bias, fitted.Bias, 0.06);
    }

    [Fact]
    public void ProbabilitiesThatAreRightAlreadyAreLeftNearlyAlone()
    {
        var (probabilities, labels) = Pairs(30_000, seed: 4, Sigmoid);

        var fitted = PlattScaling.Fit(probabilities, labels);

        Assert.Equal(1, fitted.Scale, 0.05);
        Assert.Equal(0, fitted.Bias, 0.05);
    }

    [Fact]
    public void TheFitTakesMostOfTheCalibrationErrorAway()
    {
        var (probabilities, labels) = Pairs(30_000, seed: 5, z => Sigmoid((0.7 * z) - 0.6));
        var before = Calibration.ExpectedError(Calibration.Bins(probabilities, labels));

        var after = Calibration.ExpectedError(Calibration.Bins(PlattScaling.Fit(probabilities, labels).Apply(probabilities), labels));

        Assert.InRange(before, 0.05, 1);
        Assert.InRange(after, 0, 0.015);
    }

    [Fact]
    public void ApplyKeepsEveryOrderAndEveryThresholdDecisionAndLeavesZeroAndOneAlone()
    {
        var scaling = new PlattScaling(0.8, -0.4);
        var random = new Random(6);
        var values = Enumerable.Range(0, 2_000).Select(_ => random.NextDouble()).Concat([0.0, 1.0, 1e-9, 1 - 1e-9]).ToArray();

        foreach (var (p, t) in values.Zip(values.Reverse()))
        {
            Assert.Equal(p >= t, scaling.Apply(p) >= scaling.Apply(t));
        }

        Assert.Equal(0, scaling.Apply(0));
        Assert.Equal(1, scaling.Apply(1));
        Assert.Equal(0.5, PlattScaling.Identity.Apply(0.5), 12);

        // sigmoid(0.8 x logit(0.7) - 0.4) by hand: logit(0.7) = 0.847298; 0.8 x 0.847298 - 0.4 = 0.277838.
        Assert.Equal(1 / (1 + Math.Exp(-0.277838)), scaling.Apply(0.7), 6);
        Assert.Equal("sigmoid(0.8000 x logit(p) - 0.4000)", scaling.ToString());
    }

    [Fact]
    public void FitRefusesLabelsThatCannotBeFitted()
    {
        float[][] probabilities = [[0.2f, 0.7f]];

        Assert.Throws<ArgumentException>(() => PlattScaling.Fit(probabilities, [[true, true]]));
        Assert.Throws<ArgumentException>(() => PlattScaling.Fit(probabilities, [[false]]));
        Assert.Throws<ArgumentException>(() => PlattScaling.Fit([], []));
    }

    private static (float[][] Probabilities, bool[][] Labels) Pairs(int posters, int seed, Func<double, double> truth)
    {
        var random = new Random(seed);
        var probabilities = new float[posters][];
        var labels = new bool[posters][];
        for (var i = 0; i < posters; i++)
        {
            var z = (random.NextDouble() * 8) - 5;
            probabilities[i] = [(float)Sigmoid(z)];
            labels[i] = [random.NextDouble() < truth(z)];
        }

        return (probabilities, labels);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
