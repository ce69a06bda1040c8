using PosterGenre.Training.Data;

namespace PosterGenre.Training.Tests;

public sealed class PosterDatasetTests
{
    [Fact]
    public void ValidRowsAreReadWithTheirGenresInColumnOrder()
    {
        using var data = SyntheticDataset.Create(12);

        var dataset = PosterDataset.Load(data.Root);

        Assert.Equal(SyntheticDataset.Genres, dataset.Genres);
        Assert.Equal(12, dataset.Posters.Count);
        Assert.Empty(dataset.Skipped);
        Assert.All(dataset.Posters, p => Assert.True(File.Exists(p.ImagePath)));
    }

    [Fact]
    public void BrokenRowsAreSkippedWithTheirReason()
    {
        using var data = SyntheticDataset.Create(6, extraRows: csv => csv
            .Append("tt0000001,\"['Comedy']\",0,1,0,0,0\n")
            .Append("tt0000002,\"['Drama']\",0,0,1,0,0\n")
            .Append("tt9999999,\"['Drama']\",0,0,1,0,0\n")
            .Append("tt0000003,\"['Drama']\",0,0,yes,0,0\n")
            .Append("tt0000004,\"['Drama']\",0,0,1\n")
            .Append("tt0000005,\"[]\",0,0,0,0,0\n")
            .Append(",\"['Drama']\",0,0,1,0,0\n"));

        var dataset = PosterDataset.Load(data.Root);
        var reasons = dataset.Skipped.ToDictionary(s => s.Line, s => s.Reason);

        Assert.Equal(6, dataset.Posters.Count);
        Assert.Contains("repeated id", reasons[8]);
        Assert.Contains("image images/tt9999999.jpg not found", reasons[10]);
        Assert.Contains("genre column Drama holds 'yes'", reasons[11]);
        Assert.Contains("5 columns where the header has 7", reasons[12]);
        Assert.Contains("no genre marked", reasons[13]);
        Assert.Contains("empty Id", reasons[14]);
    }

    [Fact]
    public void PostersOfOtherFormatsAreFoundByTheirExtension()
    {
        using var data = SyntheticDataset.Create(4);
        var images = Path.Combine(data.Root, PosterDataset.ImagesFolder);
        var jpegs = Directory.GetFiles(images, "*.jpg").Order().ToArray();
        File.Move(jpegs[0], Path.ChangeExtension(jpegs[0], ".png"));
        File.Move(jpegs[1], Path.ChangeExtension(jpegs[1], ".webp"));

        var dataset = PosterDataset.Load(data.Root);

        Assert.Equal(4, dataset.Posters.Count);
        Assert.Empty(dataset.Skipped);
        Assert.Contains(dataset.Posters, p => p.ImagePath.EndsWith(".png", StringComparison.Ordinal));
        Assert.Contains(dataset.Posters, p => p.ImagePath.EndsWith(".webp", StringComparison.Ordinal));
    }

    [Fact]
    public void RepeatedIdWithOtherLabelsSaysSo()
    {
        using var data = SyntheticDataset.Create(3, extraRows: csv => csv.Append("tt0000000,\"['Western']\",1,1,1,1,1\n"));

        var dataset = PosterDataset.Load(data.Root);

        Assert.Equal("repeated id with different labels (first row kept)", Assert.Single(dataset.Skipped).Reason);
    }

    [Fact]
    public void MissingFolderIsAClearError()
    {
        var e = Assert.Throws<DatasetException>(() => PosterDataset.Load("/no/such/folder"));

        Assert.Contains("'/no/such/folder' does not exist", e.Message);
    }

    [Fact]
    public void WrongHeaderIsAClearError()
    {
        using var data = SyntheticDataset.Create(2);
        File.WriteAllText(data.Csv, "Name,Genres,Action\nx,y,1\n");

        var e = Assert.Throws<DatasetException>(() => PosterDataset.Load(data.Root));

        Assert.Contains("must start with the columns Id, Genre", e.Message);
    }

    [Fact]
    public void UnreadableImageIsSkippedWhenDecoding()
    {
        using var data = SyntheticDataset.Create(5);
        File.WriteAllText(Path.Combine(data.Root, "images", "tt0000002.jpg"), "not a jpeg");
        var dataset = PosterDataset.Load(data.Root);
        var spec = new Imaging.PreprocessingSpec { Width = 16, Height = 24, Mean = [0, 0, 0], Std = [1, 1, 1] };

        var cache = PixelCache.Build(dataset.Posters, new Imaging.PosterPreprocessor(spec), dataset.Skipped);

        Assert.Equal(4, cache.Count);
        var skipped = Assert.Single(dataset.Skipped);
        Assert.Equal("tt0000002", skipped.Id);
        Assert.StartsWith("image could not be read", skipped.Reason);
    }
}
