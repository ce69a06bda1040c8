using PosterGenre.Training.Models;
using PosterGenre.Training.Training;

namespace PosterGenre.Training.Tests;

public sealed class ModelCostTests
{
    [Fact]
    public void DefaultModelCostsAtMostHalfTheSeedCnn()
    {
        var seed = (IGenreNet)TrainingProfile.For("seed-baseline").CreateNet(25);
        var profile = TrainingProfile.For("poster-genre");
        var model = (IGenreNet)profile.CreateNet(25);

        Assert.True(2 * model.Macs <= seed.Macs, $"poster-genre {model.Macs / 1e6:F0} M MACs, seed {seed.Macs / 1e6:F0} M");
    }

    [Fact]
    public void SeedCnnCostMatchesItsLayers()
    {
        var seed = (IGenreNet)TrainingProfile.For("seed-baseline").CreateNet(25);

        // 348^2*3*16*9 + 172^2*16*32*9 + 84^2*32*64*9 + 40^2*64*128*9 + dense 51200*128 + 128*128 + 128*25
        long expected = (348L * 348 * 3 * 16 * 9) + (172L * 172 * 16 * 32 * 9) + (84L * 84 * 32 * 64 * 9) + (40L * 40 * 64 * 128 * 9) + (51200L * 128) + (128 * 128) + (128 * 25);
        Assert.Equal(expected, seed.Macs);
    }
}
