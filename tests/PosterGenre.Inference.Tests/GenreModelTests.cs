using PosterGenre.Inference;

namespace PosterGenre.Inference.Tests;

/// <summary>How a model runs (sessions, threads) never changes what it answers.</summary>
public sealed class GenreModelTests
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");

    [Fact]
    public async Task ARunOnEveryCoreWhenAloneAnswersAsTheSharedSessionDoes()
    {
        using var shared = GenreModel.Load(Model, settings: new OnnxSessionSettings { IntraOpThreads = 1 });
        using var adaptive = GenreModel.Load(Model, settings: new OnnxSessionSettings { IntraOpThreads = 1, UseAllCoresWhenAlone = true });
        var random = new Random(3);
        var posters = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, shared.Preprocessor.Spec.TensorLength).Select(_ => (float)random.NextDouble() * 100).ToArray()).ToArray();

        var lone = adaptive.Predict([posters[0]]);
        var concurrent = await Task.WhenAll(posters.Select(p => Task.Run(() => adaptive.Predict([p]))));

        Assert.Equal(shared.Predict([posters[0]])[0], lone[0], (a, b) => Math.Abs(a - b) < 1e-5f);
        for (var i = 0; i < posters.Length; i++)
        {
            Assert.Equal(shared.Predict([posters[i]])[0], concurrent[i][0], (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public void SettingsOutsideTheirRangesAreRefusedNamingTheSetting()
    {
        var e = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => GenreModel.Load(Model, settings: new OnnxSessionSettings { MaxConcurrentInferences = -1 }));

        Assert.Contains("MaxConcurrentInferences", e.Message);
    }
}
