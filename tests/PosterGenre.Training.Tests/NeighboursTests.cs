using System.Text.Json;
using PosterGenre.Inference;
using PosterGenre.Training.Commands;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Tests;

/// <summary>
/// <c>neighbours --vote</c>: the vote of the nearest training posters weights each neighbour's
/// labels by its similarity, and on a small trained model the table's alpha-0 column is the
/// model's own validation figures, whatever k.
/// </summary>
public sealed class NeighboursTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-neighbours-").FullName;

    [Fact]
    public void TheVoteIsTheSimilarityWeightedShareOfTheKNearestThatHaveEachGenre()
    {
        float[][] index = [[1, 0], [0.6f, 0.8f], [0, 1], [-1, 0]];
        PosterRecord[] posters =
        [
            new("a", "a.jpg", [true, false]),
            new("ab", "ab.jpg", [true, true]),
            new("b", "b.jpg", [false, true]),
            new("a-opposite", "c.jpg", [true, false]),
        ];

        var vote = NeighboursCommand.VoteOf([1, 0], index, posters, k: 2, genres: 2);

        // The two nearest are "a" (similarity 1) and "ab" (0.6): both have the first genre, a 0.6 / 1.6 share the second.
        Assert.Equal(1f, vote[0], 1e-6f);
        Assert.Equal(0.6f / 1.6f, vote[1], 1e-6f);
    }

    [Fact]
    public void WithoutTheVoteTheTableHoldsTheModelsOwnValidationFigures()
    {
        using var data = SyntheticDataset.Create(posters: 160);
        var run = Path.Combine(dir, "run");
        Assert.Equal(0, TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, run), TextWriter.Null));
        var model = Path.Combine(run, "tiny.onnx");
        Assert.Equal(0, EmbedCommand.Execute(model, TextWriter.Null));
        var splitFile = Path.Combine(run, DatasetSplit.FileName);
        var output = Path.Combine(dir, "neighbours");

        Assert.Equal(0, NeighboursCommand.Execute(model, data.Root, splitFile, "validation", k: 3, examples: 1, vote: true, output, TextWriter.Null, minPositivesForMacro: 2));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var cells = metrics.RootElement.GetProperty("vote").EnumerateArray()
            .Select(c => (K: c.GetProperty("k").GetInt32(), Alpha: c.GetProperty("alpha").GetDouble(), Auc: c.GetProperty("macroRocAuc").GetDouble(), Ap: c.GetProperty("macroAp").GetDouble()))
            .ToList();
        Assert.Equal(15, cells.Count);
        Assert.Equal([10, 25, 50], cells.Select(c => c.K).Distinct());
        var own = OwnValidationFigures(model, data.Root, splitFile);
        foreach (var alone in cells.Where(c => c.Alpha == 0))
        {
            Assert.Equal(own.Auc, alone.Auc, 1e-9);
            Assert.Equal(own.Ap, alone.Ap, 1e-9);
        }

        // The vote moves the figures: a mixed cell differs from the model alone.
        Assert.Contains(cells, c => c.Alpha > 0 && Math.Abs(c.Auc - own.Auc) > 1e-6);
        Assert.Contains("| 25 |", File.ReadAllText(Path.Combine(output, "neighbours.md")));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (double Auc, double Ap) OwnValidationFigures(string modelPath, string dataDir, string splitFile)
    {
        var dataset = PosterDataset.Load(dataDir);
        var posters = DatasetSplit.Load(splitFile).Select(dataset.Posters, SplitName.Validation);
        using var model = GenreModel.Load(modelPath);
        var probabilities = PosterScorer.Probabilities(model, posters, p => model.Preprocessor.ToTensor(File.ReadAllBytes(p.ImagePath)));
        var result = Evaluator.Evaluate("own", dataset.Genres, probabilities, [.. posters.Select(p => p.Labels)], model.Manifest.Thresholds, minPositivesForMacro: 2);
        return (result.Summary["macroRocAuc"], result.Summary["macroAp"]);
    }
}
