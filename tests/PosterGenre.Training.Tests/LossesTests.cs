using PosterGenre.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

public sealed class LossesTests
{
    [Fact]
    public void AsymmetricLossMatchesAHandComputedValue()
    {
        // A positive at logit 0 (p = 0.5) and a negative at logit 2 (p = 0.8808), gammaNeg 4, clip 0.05:
        // positive: log 0.5; negative: p_m = 0.8308, p_m^4 * log(1 - p_m); mean of the two, negated.
        var p = 1 / (1 + Math.Exp(-2));
        var pm = p - 0.05;
        var expected = -(Math.Log(0.5) + (Math.Pow(pm, 4) * Math.Log(1 - pm))) / 2;

        var loss = Losses.Asymmetric(tensor(new float[] { 0, 2 }).view(1, 2), tensor(new float[] { 1, 0 }).view(1, 2));

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void NegativesBelowTheClipCostNothing()
    {
        // p = 0.0474 < 0.05: an easy negative the loss ignores.
        var logits = tensor(new float[] { -3 }).view(1, 1);

        var loss = Losses.Asymmetric(logits, zeros(1, 1));

        Assert.Equal(0, loss.item<float>(), 6);
    }

    [Fact]
    public void WithoutFocusingOrClipItIsBinaryCrossEntropy()
    {
        using var logits = randn(8, 5, generator: new Generator(3));
        using var targets = rand(8, 5, generator: new Generator(4)).gt(0.7).to(ScalarType.Float32);

        var asl = Losses.Asymmetric(logits, targets, gammaNeg: 0, gammaPos: 0, clip: 0);
        var bce = nn.functional.binary_cross_entropy_with_logits(logits, targets);

        Assert.Equal(bce.item<float>(), asl.item<float>(), 5);
    }

    [Theory]
    [InlineData(0.5, new float[] { 3f, 9.9499f, 1f, 1f })]
    [InlineData(1.0, new float[] { 9f, 10f, 1f, 1f })]
    public void PositiveWeightsAreTheNegativeToPositiveRatioToAPowerBetweenOneAndTen(double power, float[] expected)
    {
        // Of 100 posters: 10 positives (ratio 9), 1 (ratio 99, capped at 10 in full), 60 (ratio 0.67, raised to 1), none.
        var weights = Trainer.PositiveWeightsFor([10, 1, 60, 0], 100, power);

        Assert.Equal(expected.Length, weights.Length);
        for (var g = 0; g < expected.Length; g++)
        {
            Assert.Equal(expected[g], weights[g], 3);
        }
    }
}
