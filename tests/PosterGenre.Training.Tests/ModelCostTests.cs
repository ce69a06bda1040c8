using PosterGenre.Training.Models;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Tests;

public sealed class ModelCostTests
{
    [Fact]
    public void DefaultModelCostsAtMostHalfTheSeedCnn()
    {
        var seed = (IGenreNet)Recipe.For("seed-baseline").CreateNet(25);
        var profile = Recipe.For("poster-genre");
        var model = (IGenreNet)profile.CreateNet(25);

        Assert.True(2 * model.Macs <= seed.Macs, $"poster-genre {model.Macs / 1e6:F0} M MACs, seed {seed.Macs / 1e6:F0} M");
    }

    [Fact]
    public void SeedCnnCostMatchesItsLayers()
    {
        var seed = (IGenreNet)Recipe.For("seed-baseline").CreateNet(25);

        // 348^2*3*16*9 + 172^2*16*32*9 + 84^2*32*64*9 + 40^2*64*128*9 + dense 51200*128 + 128*128 + 128*25
        long expected = (348L * 348 * 3 * 16 * 9) + (172L * 172 * 16 * 32 * 9) + (84L * 84 * 32 * 64 * 9) + (40L * 40 * 64 * 128 * 9) + (51200L * 128) + (128 * 128) + (128 * 25);
        Assert.Equal(expected, seed.Macs);
    }

    [Fact]
    public void DefaultModelCostMatchesItsLayers()
    {
        var model = (IGenreNet)Recipe.For("poster-genre").CreateNet(25);

        // 144x96 input, Conv3x3 + MaxPool 2 blocks of 32-64-128-208-208 channels, a 1x1 projection
        // to 32 channels of block 3's 18x12 map and its 32x32 Gram matrix, a linear head on
        // mean + max pooled features (2 x 208) and the Gram features (1024).
        long expected = (144L * 96 * 3 * 32 * 9) + (72L * 48 * 32 * 64 * 9) + (36L * 24 * 64 * 128 * 9) + (18L * 12 * 128 * 208 * 9) + (9L * 6 * 208 * 208 * 9)
            + (216L * 128 * 32) + (216L * 32 * 32) + (25L * ((2 * 208) + 1024));
        Assert.Equal(expected, model.Macs);
    }
}
