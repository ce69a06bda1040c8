using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The optional CSV of <c>index</c>: an <c>Id</c> column, and if it has them a <c>Title</c> column
/// and the genres, either one 0/1 column per genre of the model (as the dataset's posters.csv) or
/// a <c>Genre</c> column that lists them (<c>['Comedy', 'Drama']</c> or <c>Comedy|Drama</c>).
/// </summary>
public static class CatalogueCsv
{
    public sealed record Row(string? Title, string[]? Genres);

    /// <exception cref="InvalidDataException">The file is missing or has no Id column.</exception>
    public static IReadOnlyDictionary<string, Row> Read(string path, string[] genres)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"CSV '{path}' does not exist.");
        }

        using var reader = new StreamReader(path);
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { BadDataFound = null });
        var header = csv.Read() ? csv.Record! : [];
        int Column(string name) => Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        var id = Column("Id");
        if (id < 0)
        {
            throw new InvalidDataException($"CSV '{path}' has no Id column (its header: {string.Join(",", header)}).");
        }

        var title = Column("Title");
        var genreColumns = genres.Select(g => (Genre: g, Column: Array.IndexOf(header, g))).Where(c => c.Column >= 0).ToArray();
        var listed = genreColumns.Length > 0 ? -1 : Math.Max(Column("Genre"), Column("Genres"));
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        while (csv.Read())
        {
            var record = csv.Record!;
            string? Field(int column) => column >= 0 && column < record.Length && record[column].Trim() is { Length: > 0 } value ? value : null;
            if (Field(id) is not { } key)
            {
                continue;
            }

            string[]? labelled = genreColumns.Length > 0 ? [.. genreColumns.Where(c => Field(c.Column) == "1").Select(c => c.Genre)]
                : Field(listed) is { } list ? [.. list.Split([',', '|'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(g => g.Trim('[', ']', '\'', '"', ' ')).Where(g => g.Length > 0)]
                : null;
            rows.TryAdd(key, new Row(Field(title), labelled));
        }

        return rows;
    }
}
