using System.Text;
using PosterGenre.Training.Fitting;
using SkiaSharp;

namespace PosterGenre.Training.Tests;

/// <summary>A small dataset in the Kaggle layout, generated on disk: each genre tints its posters.</summary>
internal sealed class SyntheticDataset : IDisposable
{
    public static readonly string[] Genres = ["Action", "Comedy", "Drama", "Horror", "Romance"];

    private SyntheticDataset(string root) => Root = root;

    public string Root { get; }

    public string Csv => Path.Combine(Root, "posters.csv");

    /// <summary>Options for a training run of seconds on such a dataset: 32x48 input, batch 16, one thread.</summary>
    public static TrainOptions TinyRun(string dataDir, string outDir, string modelName = "tiny", int epochs = 2) => new()
    {
        DataDir = dataDir,
        OutDir = outDir,
        Profile = Recipe.For("poster-genre") with { Width = 32, Height = 48, Epochs = epochs, BatchSize = 16 },
        Seed = 5,
        ModelName = modelName,
        Threads = 1,
        MinPositivesForMacro = 2,
        CommandLine = $"postergenre-train train --epochs {epochs}",
    };

    public static SyntheticDataset Create(int posters, int seed = 7, Action<StringBuilder>? extraRows = null)
    {
        var root = Directory.CreateTempSubdirectory("postergenre-data-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "images"));
        var random = new Random(seed);
        var csv = new StringBuilder("Id,Genre," + string.Join(",", Genres) + "\n");
        for (var i = 0; i < posters; i++)
        {
            var id = $"tt{i:D7}";
            var labels = Genres.Select(_ => random.NextDouble() < 0.35).ToArray();
            if (!labels.Contains(true))
            {
                labels[random.Next(Genres.Length)] = true;
            }

            var names = Genres.Where((_, g) => labels[g]).Select(g => $"'{g}'");
            csv.Append(id).Append(",\"[").Append(string.Join(", ", names)).Append("]\",")
                .Append(string.Join(",", labels.Select(l => l ? "1" : "0"))).Append('\n');
            File.WriteAllBytes(Path.Combine(root, "images", id + ".jpg"), Poster(labels, random));
        }

        extraRows?.Invoke(csv);
        File.WriteAllText(Path.Combine(root, "posters.csv"), csv.ToString());
        return new SyntheticDataset(root);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static byte[] Poster(bool[] labels, Random random)
    {
        using var bitmap = new SKBitmap(60, 90);
        using (var canvas = new SKCanvas(bitmap))
        {
            var r = (byte)(labels[0] ? 200 : 40);
            var g = (byte)(labels[1] ? 200 : 40);
            var b = (byte)(labels[2] ? 200 : 40);
            canvas.Clear(new SKColor(r, g, b));
            using var paint = new SKPaint { Color = new SKColor((byte)random.Next(256), (byte)(labels[3] ? 0 : 255), (byte)(labels[4] ? 255 : 0)) };
            canvas.DrawRect(random.Next(30), random.Next(45), 25, 40, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
