using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;
using CsvHelper.Configuration;

namespace PosterGenre.Training.Data;

/// <summary>
/// The Kaggle "movie-classifier" layout: <c>posters.csv</c> (Id, Genre, then one 0/1 column per
/// genre) and <c>images/&lt;Id&gt;.jpg</c> (or another image extension, for posters of one's own). Reading validates every row and keeps a list of what
/// was skipped and why, instead of failing or silently dropping.
/// </summary>
public sealed class PosterDataset
{
    public const string CsvName = "posters.csv";
    public const string ImagesFolder = "images";

    /// <summary>
    /// Extensions tried for a poster's image, in this order: the Kaggle layout's .jpg first, then
    /// the other formats the decoder reads (it goes by the bytes, not the name).
    /// </summary>
    public static readonly string[] ImageExtensions = ["jpg", "jpeg", "png", "webp", "gif", "bmp"];

    private PosterDataset(string root, string[] genres, List<PosterRecord> posters, List<SkippedRow> skipped, string sha256)
    {
        Root = root;
        Genres = genres;
        Posters = posters;
        Skipped = skipped;
        CsvSha256 = sha256;
    }

    public string Root { get; }

    /// <summary>Genre names in CSV column order; this is the model's output order.</summary>
    public string[] Genres { get; }

    public IReadOnlyList<PosterRecord> Posters { get; }

    public List<SkippedRow> Skipped { get; }

    public string CsvSha256 { get; }

    /// <summary>Reads and validates <paramref name="root"/>/posters.csv.</summary>
    /// <exception cref="DatasetException">The folder, the CSV or its header is unusable.</exception>
    public static PosterDataset Load(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new DatasetException($"Dataset folder '{root}' does not exist.");
        }

        var csvPath = Path.Combine(root, CsvName);
        if (!File.Exists(csvPath))
        {
            throw new DatasetException($"Dataset folder '{root}' has no {CsvName}.");
        }

        var bytes = File.ReadAllBytes(csvPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var reader = new StreamReader(new MemoryStream(bytes));
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null });

        if (!csv.Read())
        {
            throw new DatasetException($"'{csvPath}' is empty.");
        }

        var header = csv.Record!;
        if (header.Length < 3 || header[0] != "Id" || header[1] != "Genre")
        {
            throw new DatasetException($"'{csvPath}' must start with the columns Id, Genre and then one column per genre; it starts with '{string.Join(",", header.Take(3))}'.");
        }

        var genres = header[2..];
        var posters = new List<PosterRecord>();
        var skipped = new List<SkippedRow>();
        var seen = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        var imageDir = Path.Combine(root, ImagesFolder);

        while (csv.Read())
        {
            var line = csv.Row;
            var row = csv.Record!;
            var id = row.Length > 0 ? row[0].Trim() : "";
            var reason = Validate(row, header.Length, genres, out var labels);
            if (reason is null && seen.TryGetValue(id, out var first))
            {
                reason = first.SequenceEqual(labels!) ? "repeated id (same labels as its first row)" : "repeated id with different labels (first row kept)";
            }

            var imagePath = FindImage(imageDir, id);
            if (reason is null && imagePath is null)
            {
                reason = $"image {ImagesFolder}/{id}.jpg not found (nor .{string.Join(", .", ImageExtensions[1..])})";
            }

            if (reason is not null)
            {
                skipped.Add(new SkippedRow(line, id, reason));
                continue;
            }

            seen[id] = labels!;
            posters.Add(new PosterRecord(id, imagePath!, labels!));
        }

        return new PosterDataset(root, genres, posters, skipped, sha);
    }

    private static string? FindImage(string imageDir, string id)
    {
        if (id.Length == 0)
        {
            return null;
        }

        foreach (var extension in ImageExtensions)
        {
            var path = Path.Combine(imageDir, $"{id}.{extension}");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Keeps only the posters for which <paramref name="keep"/> is true (e.g. those that decoded).</summary>
    public PosterDataset Where(Func<PosterRecord, bool> keep) =>
        new(Root, Genres, [.. Posters.Where(keep)], Skipped, CsvSha256);

    private static string? Validate(string[] row, int columns, string[] genres, out bool[]? labels)
    {
        labels = null;
        if (row.Length != columns)
        {
            return $"{row.Length} columns where the header has {columns}";
        }

        if (string.IsNullOrWhiteSpace(row[0]))
        {
            return "empty Id";
        }

        if (row[0].Trim().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || row[0].Contains(".."))
        {
            return "Id is not a valid file name";
        }

        var values = new bool[genres.Length];
        for (var g = 0; g < genres.Length; g++)
        {
            var cell = row[g + 2].Trim();
            if (cell is not ("0" or "1"))
            {
                return $"genre column {genres[g]} holds '{cell}', not 0 or 1";
            }

            values[g] = cell == "1";
        }

        if (!values.Contains(true))
        {
            return "no genre marked";
        }

        labels = values;
        return null;
    }
}
