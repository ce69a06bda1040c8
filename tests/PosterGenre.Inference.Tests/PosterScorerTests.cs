using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Inference.Tests;

/// <summary>The one inference path: one outcome per poster, in order, whatever the batching and whichever fail.</summary>
public sealed class PosterScorerTests
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(32)]
    public void EachPosterGetsItsOwnAnswerInOrderAndABadImageFailsAlone(int batchSize)
    {
        using var model = GenreModel.Load(Model);
        string[] files = ["tt0084058.jpg", "not-an-image.txt", "tt0085154.jpg", "truncated.jpg", "tt0085334.jpg"];
        var bytes = files.Select(f => File.ReadAllBytes(Path.Combine(Fixtures, f))).ToArray();

        var scored = PosterScorer.Score(model, bytes, b => model.Preprocessor.ToTensor(b), batchSize);

        Assert.Equal(files.Length, scored.Posters.Length);
        Assert.Equal(PosterImageError.UnsupportedFormat, scored.Posters[1].Error!.Error);
        Assert.Equal(PosterImageError.Undecodable, scored.Posters[3].Error!.Error);
        foreach (var i in new[] { 0, 2, 4 })
        {
            var alone = model.Predict([model.Preprocessor.ToTensor(bytes[i])])[0];
            Assert.Null(scored.Posters[i].Error);
            Assert.Equal(alone, scored.Posters[i].Probabilities!, (a, b) => Math.Abs(a - b) < 1e-5f);
        }

        Assert.True(scored.Inference > TimeSpan.Zero);
    }

    [Fact]
    public void NoUsablePosterRunsNothing()
    {
        using var model = GenreModel.Load(Model);

        var scored = PosterScorer.Score<byte[]>(model, [[1, 2, 3]], b => model.Preprocessor.ToTensor(b));

        Assert.NotNull(scored.Posters[0].Error);
        Assert.Equal(TimeSpan.Zero, scored.Inference);
    }

    [Fact]
    public void ProbabilitiesKeepOnlyABatchOfInputsAlive()
    {
        using var model = GenreModel.Load(Model);
        var poster = File.ReadAllBytes(Path.Combine(Fixtures, "tt0084058.jpg"));
        var made = new List<WeakReference<float[]>>();
        var mostAlive = 0;

        var probabilities = PosterScorer.Probabilities(model, Enumerable.Range(0, 24).ToArray(), _ =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            mostAlive = Math.Max(mostAlive, made.Count(r => r.TryGetTarget(out float[]? _)));
            var input = model.Preprocessor.ToTensor(poster);
            made.Add(new WeakReference<float[]>(input));
            return input;
        }, batchSize: 4);

        Assert.Equal(24, probabilities.Length);
        Assert.InRange(mostAlive, 0, 2 * 4);
    }

    [Fact]
    public void ProbabilitiesRefuseToHideAFailure()
    {
        using var model = GenreModel.Load(Model);

        Assert.Throws<PosterImageException>(() => PosterScorer.Probabilities<byte[]>(model, [[1, 2, 3]], b => model.Preprocessor.ToTensor(b)));
    }
}
