using System.Net;
using System.Net.Http.Json;
using PosterGenre.Training.Tests;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Api.Tests;

/// <summary>
/// What a user retraining on their own posters does: train on a folder with other genres (five,
/// here), point the service at the result, and get answers in those genres, beside the shipped models.
/// </summary>
public sealed class RetrainedModelTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("postergenre-own-").FullName;

    [Fact]
    public async Task AModelTrainedOnOtherGenresIsServedWithThem()
    {
        using var data = SyntheticDataset.Create(90);
        var exit = TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output, "mine", epochs: 1), TextWriter.Null);
        Assert.Equal(0, exit);
        using var api = ApiFactory.With(new Dictionary<string, string?> { ["PosterGenre:Models:mine:Path"] = Path.Combine(output, "mine.onnx") });
        var client = api.CreateClient();

        var models = await client.GetFromJsonAsync<List<ModelSummaryDto>>("/api/v1/models");
        var response = await client.PostAsync("/api/v1/predictions?model=mine", Fixtures.Posters("tt0086425"));

        var mine = Assert.Single(models!, m => m.Name == "mine");
        Assert.Equal(SyntheticDataset.Genres, mine.Genres);
        Assert.Equal((32, 48), (mine.Input.Width, mine.Input.Height));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<PredictionResponseDto>();
        Assert.Equal("mine", body!.Model.Name);
        var result = Assert.Single(body.Results);
        Assert.Equal(SyntheticDataset.Genres.Order(), result.Probabilities!.Keys.Order());
        Assert.Equal(3, result.Top3!.Count);
        Assert.InRange(result.Predicted!.Count, 1, 3);
        Assert.All(result.Predicted, g => Assert.Contains(g, SyntheticDataset.Genres));
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
