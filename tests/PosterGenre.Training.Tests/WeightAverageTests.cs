using PosterGenre.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

public sealed class WeightAverageTests
{
    [Fact]
    public void AverageStartsAtTheWeightsAndMovesTowardsThemByOneMinusTheDecay()
    {
        var net = nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1));
        using var average = new WeightAverage(net, nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1)), decay: 0.9);
        var weight = net.parameters().First();
        var averaged = average.Network.parameters().First();
        Assert.True(averaged.eq(weight).all().item<bool>(), "the average should start at the network's weights");
        var start = weight.detach().clone();

        using (no_grad())
        {
            weight.add_(1);
        }

        average.Update();

        // Step 1 uses min(0.9, (1 + 1) / (10 + 1)) so the start is forgotten quickly.
        var d = 2.0 / 11.0;
        Assert.True(averaged.sub((start * d) + ((start + 1) * (1 - d))).abs().max().item<float>() < 1e-6f);

        for (var step = 2; step <= 200; step++)
        {
            average.Update();
        }

        Assert.True(averaged.sub(start + 1).abs().max().item<float>() < 1e-4f, "a still network's average should reach it");
    }

    [Fact]
    public void BatchNormStatisticsAreCopiedNotAveraged()
    {
        var net = nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1));
        using var average = new WeightAverage(net, nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1)), decay: 0.99);
        net.train();
        using (no_grad())
        {
            net.forward(randn(16, 2) * 5 + 3);
        }

        average.Update();

        var running = net.buffers().First();
        Assert.True(average.Network.buffers().First().eq(running).all().item<bool>());
    }

    [Fact]
    public void AnotherArchitectureIsRefused()
    {
        var net = nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1));
        Assert.Throws<ArgumentException>(() => new WeightAverage(net, nn.Sequential(nn.Linear(2, 1)), decay: 0.9));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage(net, nn.Sequential(nn.Linear(2, 1), nn.BatchNorm1d(1)), decay: 1));
    }
}
