using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Commands;

namespace PosterGenre.Api.Tests;

/// <summary><c>predict --shard I/N</c>: N shards over a folder give exactly the rows of one unsharded run.</summary>
public sealed class ShardTests
{
    [Fact]
    public void ShardsTogetherGiveExactlyTheRowsOfOneRun()
    {
        var model = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");
        var folder = Directory.CreateTempSubdirectory("postergenre-shards-").FullName;
        try
        {
            // 24 files: the six posters, each under four names.
            foreach (var (id, _) in Fixtures.Labelled)
            {
                for (var copy = 0; copy < 4; copy++)
                {
                    File.Copy(Fixtures.PosterPath(id), Path.Combine(folder, $"{id}-{copy}.jpg"));
                }
            }

            var whole = Rows(model, folder, null);
            var shards = Enumerable.Range(0, 3).Select(i => Rows(model, folder, new Shard(i, 3))).ToArray();

            Assert.Equal(24, whole.Count);
            Assert.All(shards, s => Assert.NotEmpty(s));
            Assert.Equal(whole.Order(), shards.SelectMany(s => s).Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("0/1", true)]
    [InlineData("2/3", true)]
    [InlineData("3/3", false)]
    [InlineData("-1/3", false)]
    [InlineData("1/0", false)]
    [InlineData("1", false)]
    public void ShardTextIsIndexOverCount(string text, bool valid) => Assert.Equal(valid, Shard.Parse(text) is not null);

    private static List<string> Rows(string model, string folder, Shard? shard)
    {
        var csv = new StringWriter();
        Assert.Equal(0, PredictCommand.Execute(model, [folder], null, csv, new StringWriter(), shard: shard));
        return [.. csv.ToString().TrimEnd().Split('\n').Skip(1).Select(l => l.TrimEnd('\r'))];
    }
}
