using Microsoft.Extensions.DependencyInjection;
using PosterGenre.Api.Serving;
using PosterGenre.Training.Data;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Api.Tests;

/// <summary>The service must feed the model exactly what training fed it.</summary>
public sealed class PreprocessingParityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("poster-genre")]
    [InlineData("seed-baseline")]
    public void ServicePixelsEqualTrainingPixelsByteForByte(string modelName)
    {
        _ = factory.Services.GetRequiredService<ModelRegistry>().TryGet(modelName, out var served);
        var ids = Fixtures.Labelled.Select(p => p.Id).ToArray();
        var records = ids.Select(id => new PosterRecord(id, Fixtures.PosterPath(id), new bool[25])).ToList();

        var cache = PixelCache.Build(records, served.Preprocessor, []);

        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(cache.Pixels[i], served.Preprocessor.ToRgb(Fixtures.Poster(ids[i])));
        }
    }

    [Fact]
    public void ServiceTensorEqualsTrainingBatch()
    {
        _ = factory.Services.GetRequiredService<ModelRegistry>().TryGet("poster-genre", out var served);
        var id = Fixtures.Labelled[0].Id;
        var cache = PixelCache.Build([new PosterRecord(id, Fixtures.PosterPath(id), new bool[25])], served.Preprocessor, []);

        var training = new BatchMaker(cache, seed: 1).Images([0]).data<float>().ToArray();
        var service = served.Preprocessor.ToTensor(Fixtures.Poster(id));

        Assert.Equal(service.Length, training.Length);
        Assert.True(service.Zip(training, (a, b) => Math.Abs(a - b)).Max() < 1e-6f);
    }
}
