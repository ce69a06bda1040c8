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
    public void APosterOfTheWrongLengthIsRefusedNamingBothLengths()
    {
        using var model = GenreModel.Load(Model);
        var length = model.Preprocessor.Spec.TensorLength;

        var e = Assert.Throws<ArgumentException>(() => model.Predict([new float[length + 1]]));

        Assert.Contains($"{length + 1} values", e.Message);
        Assert.Contains($"takes {length}", e.Message);
    }

    [Fact]
    public void ABatchHoldsEachPosterThenItsMirrorImage()
    {
        var spec = new PosterGenre.Imaging.PreprocessingSpec { Width = 3, Height = 2, Mean = [0, 0, 0], Std = [1, 1, 1] };
        float[] a = [.. Enumerable.Range(0, spec.TensorLength).Select(i => (float)i)];
        float[] b = [.. Enumerable.Range(100, spec.TensorLength).Select(i => (float)i)];

        var plain = InputBatch.Of([a, b], spec, flip: false);
        var flipped = InputBatch.Of([a, b], spec, flip: true);

        Assert.Equal([.. a, .. b], plain);
        Assert.Equal([.. a, .. b], flipped[..(2 * spec.TensorLength)]);
        Assert.Equal([2f, 1, 0, 5, 4, 3], flipped[(2 * spec.TensorLength)..][..6]);
        Assert.Equal([102f, 101, 100, 105, 104, 103], flipped[(3 * spec.TensorLength)..][..6]);
    }

    [Fact]
    public void SettingsOutsideTheirRangesAreRefusedNamingTheSetting()
    {
        var e = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => GenreModel.Load(Model, settings: new OnnxSessionSettings { MaxConcurrentInferences = -1 }));

        Assert.Contains("MaxConcurrentInferences", e.Message);
    }

    [Fact]
    public void AnEmbeddingTheManifestNamesButTheFileLacksIsRefusedAtLoad()
    {
        var dir = Directory.CreateTempSubdirectory("postergenre-embedding-").FullName;
        try
        {
            var manifest = Path.Combine(dir, "fast.json");
            (ModelManifest.Load(Path.ChangeExtension(Model, ".json")) with { EmbeddingName = "embedding", EmbeddingLength = 64 }).Save(manifest);

            var e = Assert.Throws<InvalidDataException>(() => GenreModel.Load(Model, manifest));

            Assert.Contains("has no output 'embedding', the embedding its manifest names", e.Message);
            using var plain = GenreModel.Load(Model);
            Assert.False(plain.CanEmbed);
            Assert.Throws<InvalidOperationException>(() => plain.PredictAndEmbed([new float[plain.Manifest.Preprocessing.TensorLength]]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
