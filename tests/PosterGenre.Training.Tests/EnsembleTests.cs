using PosterGenre.Inference;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>
/// <c>ensemble</c> on two tiny trained networks: the one ONNX file answers the mean of its members'
/// probabilities through the same inference code the service uses, and its manifest adds their costs.
/// </summary>
public sealed class EnsembleTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-ensemble-").FullName;

    [Fact]
    public void TheEnsembleFileAnswersTheMeanOfItsMembers()
    {
        using var data = SyntheticDataset.Create(48);
        // Two seeds on one split, as the ensemble's members are.
        var members = new[] { 5, 6 }.Select(seed =>
        {
            var output = Path.Combine(dir, $"seed-{seed}");
            var split = seed == 5 ? null : Path.Combine(dir, "seed-5", "split.csv");
            Assert.Equal(0, TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output) with { Seed = seed, SplitFile = split }, TextWriter.Null));
            return Path.Combine(output, "tiny.onnx");
        }).ToArray();
        var ensemblePath = Path.Combine(dir, "best", "tiny-best.onnx");
        // A member with an embedding output, as the shipped default has: the ensemble has none.
        Assert.Equal(0, EmbedCommand.Execute(members[0], TextWriter.Null));

        Assert.Equal(0, EnsembleCommand.Execute(members, ensemblePath, "tiny-best", "1.0.0", "postergenre-train ensemble", TextWriter.Null));

        var random = new Random(3);
        using var first = GenreModel.Load(members[0]);
        var posters = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, first.Manifest.Preprocessing.TensorLength).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray()).ToArray();
        var expected = members.Select(m =>
        {
            using var model = GenreModel.Load(m);
            return model.Predict(posters);
        }).ToArray();
        using var ensemble = GenreModel.Load(ensemblePath);
        var actual = ensemble.Predict(posters);

        for (var p = 0; p < posters.Length; p++)
        {
            var mean = expected[0][p].Zip(expected[1][p], (a, b) => (a + b) / 2).ToArray();
            Assert.Equal(mean, actual[p], (a, b) => Math.Abs(a - b) <= 1e-5f);
            Assert.NotEqual(expected[0][p], expected[1][p]);
        }

        var manifest = ensemble.Manifest;
        Assert.Equal("tiny-best", manifest.Name);
        Assert.Equal(2 * first.Manifest.MacsPerPoster, manifest.MacsPerPoster);
        Assert.Equal(2, manifest.Members!.Length);
        Assert.Null(manifest.EmbeddingName);
        Assert.Equal(first.Manifest.Thresholds, manifest.Thresholds);
    }

    [Fact]
    public void OneMemberIsNotAnEnsemble()
    {
        var e = Assert.Throws<ArgumentException>(() => EnsembleCommand.Execute(["a.onnx"], Path.Combine(dir, "x.onnx"), "x", "1.0.0", "", TextWriter.Null));

        Assert.Contains("at least two members", e.Message);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
