using PosterGenre.Inference;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary><c>train --train-fraction</c>: a seeded share of the training split, for learning curves.</summary>
public sealed class TrainShareTests
{
    private static readonly int[] Train = [.. Enumerable.Range(0, 200).Select(i => (i * 3) + 1)];

    [Fact]
    public void AShareIsASeededSubsetOfTheTrainingPostersAndSmallerSharesAreInsideLargerOnes()
    {
        var quarter = TrainCommand.TrainShare(Train, 0.25, seed: 42);
        var half = TrainCommand.TrainShare(Train, 0.5, seed: 42);

        Assert.Equal(50, quarter.Length);
        Assert.Equal(100, half.Length);
        Assert.Subset(Train.ToHashSet(), half.ToHashSet());
        Assert.Subset(half.ToHashSet(), quarter.ToHashSet());
        Assert.Equal(half, TrainCommand.TrainShare(Train, 0.5, seed: 42));
        Assert.NotEqual(half, TrainCommand.TrainShare(Train, 0.5, seed: 7));
        Assert.NotEqual(Train.Take(100), half);
        Assert.Equal(half.Order(), half);
    }

    [Fact]
    public void ARunOnHalfTheTrainingPostersKeepsValidationAndTestWhole()
    {
        using var data = SyntheticDataset.Create(90);
        var output = Directory.CreateTempSubdirectory("postergenre-share-").FullName;
        try
        {
            var whole = SyntheticDataset.TinyRun(data.Root, Path.Combine(output, "whole"), epochs: 1) with { MaxBatches = 1 };
            var log = new StringWriter();

            TrainCommand.Execute(whole, TextWriter.Null);
            TrainCommand.Execute(whole with { OutDir = Path.Combine(output, "half"), TrainFraction = 0.5 }, log);

            var all = ModelManifest.Load(Path.Combine(output, "whole", "tiny.json")).TrainingData!;
            var half = ModelManifest.Load(Path.Combine(output, "half", "tiny.json")).TrainingData!;
            Assert.Equal((int)Math.Round(all.Train * 0.5), half.Train);
            Assert.Equal((all.Validation, all.Test), (half.Validation, half.Test));
            Assert.Contains($"training on {half.Train} of the {all.Train} training posters", log.ToString());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
