using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PosterGenre.Api.Serving;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Commands;

namespace PosterGenre.Api.Tests;

/// <summary><c>postergenre-train predict</c> gives, for every poster, the answer the service gives.</summary>
public sealed class PredictCommandTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task EveryRowIsTheServicesAnswerAndABrokenFileSaysWhy()
    {
        var model = factory.Services.GetRequiredService<ModelRegistry>().Default.Model;
        var folder = Directory.CreateTempSubdirectory("postergenre-predict-").FullName;
        try
        {
            foreach (var (id, _) in Fixtures.Labelled)
            {
                File.Copy(Fixtures.PosterPath(id), Path.Combine(folder, id + ".jpg"));
            }

            File.WriteAllBytes(Path.Combine(folder, "broken.jpg"), Fixtures.Image("truncated.jpg"));
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "not looked at");
            var csv = new StringWriter();
            var log = new StringWriter();

            var exit = PredictCommand.Execute(model.ModelPath, [folder], null, csv, log);

            Assert.Equal(0, exit);
            var lines = csv.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToArray();
            var header = lines[0];
            Assert.Equal(["file", "top1", "top2", "top3", "predicted", .. model.Manifest.Genres, "error"], header);
            Assert.Equal(Fixtures.Labelled.Length + 1, lines.Length - 1);
            Assert.Contains($"{Fixtures.Labelled.Length} of {Fixtures.Labelled.Length + 1} images scored with poster-genre", log.ToString());

            var client = factory.CreateClient();
            foreach (var row in lines[1..])
            {
                var id = Path.GetFileNameWithoutExtension(row[0]);
                if (id == "broken")
                {
                    Assert.Contains("truncated", row[^1]);
                    continue;
                }

                var body = await (await client.PostAsync("/api/v1/predictions", Fixtures.Posters(id))).Content.ReadFromJsonAsync<PredictionResponseDto>();
                var answer = body!.Results[0];
                Assert.Equal(answer.Top3!.Select(t => t.Genre), row[1..4]);
                Assert.Equal(string.Join(';', answer.Predicted!), row[4]);
                for (var g = 0; g < model.Manifest.Genres.Length; g++)
                {
                    Assert.Equal(answer.Probabilities![model.Manifest.Genres[g]], float.Parse(row[5 + g], CultureInfo.InvariantCulture));
                }

                Assert.Equal("", row[^1]);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void SeveralWorkersWriteTheSameRowsInFileOrderAsOne()
    {
        var model = factory.Services.GetRequiredService<ModelRegistry>().Default.Model;
        var folder = Directory.CreateTempSubdirectory("postergenre-predict-").FullName;
        try
        {
            var ids = Fixtures.Labelled.Select(l => l.Id).ToArray();
            for (var i = 0; i < 24; i++)
            {
                File.Copy(Fixtures.PosterPath(ids[i % ids.Length]), Path.Combine(folder, $"{i:D2}.jpg"));
            }

            File.WriteAllBytes(Path.Combine(folder, "07b.jpg"), Fixtures.Image("truncated.jpg"));
            var (one, three) = (new StringWriter(), new StringWriter());

            PredictCommand.Execute(model.ModelPath, [folder], null, one, TextWriter.Null, batchSize: 2, workers: 1);
            PredictCommand.Execute(model.ModelPath, [folder], null, three, TextWriter.Null, batchSize: 2, workers: 3);

            Assert.Equal(one.ToString(), three.ToString());
            var files = three.ToString().TrimEnd().Split('\n')[1..].Select(l => Path.GetFileName(l.Split(',')[0])).ToArray();
            Assert.Equal(files.Order(StringComparer.Ordinal), files);
            Assert.Equal(25, files.Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AFolderWithoutImagesIsAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("postergenre-empty-").FullName;
        try
        {
            var e = Assert.Throws<ArgumentException>(() => PredictCommand.ListImages([folder]));

            Assert.Contains("No images in", e.Message);
            Assert.Throws<ArgumentException>(() => PredictCommand.ListImages(["/no/such/poster.jpg"]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
