using PosterGenre.Inference;

namespace PosterGenre.Catalogue;

/// <summary>
/// The model a catalogue was embedded by: its name, version, embedding length and genres. A
/// query's embedding is comparable with a catalogue's only when both come from the same model.
/// </summary>
public sealed record CatalogueIdentity(string ModelName, string ModelVersion, int EmbeddingLength, string[] Genres)
{
    /// <summary>At most this many genres: a poster's genres are a bit mask of 64 bits when searched.</summary>
    public const int MaxGenres = 64;

    /// <exception cref="ArgumentException">The model has no embedding output, or more genres than <see cref="MaxGenres"/>.</exception>
    public static CatalogueIdentity Of(ModelManifest manifest)
    {
        if (manifest.EmbeddingName is null || manifest.EmbeddingLength is not > 0)
        {
            throw new ArgumentException($"Model {manifest.Name} {manifest.Version} has no embedding output: add one with postergenre-train embed.");
        }

        if (manifest.Genres.Length > MaxGenres)
        {
            throw new ArgumentException($"Model {manifest.Name} {manifest.Version} has {manifest.Genres.Length} genres; a catalogue takes at most {MaxGenres}.");
        }

        return new CatalogueIdentity(manifest.Name, manifest.Version, manifest.EmbeddingLength.Value, manifest.Genres);
    }

    /// <summary>The format both stores write: their <c>catalogue</c> table's rows and the <c>posters</c> table's columns.</summary>
    public const string Format = "postergenre-catalogue-1";

    public string Model => $"{ModelName} {ModelVersion}";

    /// <summary>The rows of the <c>catalogue</c> table that record a catalogue's format and identity (both stores write them).</summary>
    public (string Key, string Value)[] ToRows() =>
    [
        ("format", Format), ("model_name", ModelName), ("model_version", ModelVersion),
        ("embedding_length", EmbeddingLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("genres", System.Text.Json.JsonSerializer.Serialize(Genres)),
    ];

    /// <summary>The identity those rows record.</summary>
    /// <exception cref="InvalidDataException">They are of another format, or incomplete.</exception>
    public static CatalogueIdentity FromRows(IReadOnlyDictionary<string, string> values, string location)
    {
        if (values.GetValueOrDefault("format") != Format)
        {
            throw new InvalidDataException($"Catalogue '{location}' is of format '{values.GetValueOrDefault("format")}'; this version reads '{Format}'.");
        }

        try
        {
            return new CatalogueIdentity(values["model_name"], values["model_version"],
                int.Parse(values["embedding_length"], System.Globalization.CultureInfo.InvariantCulture),
                System.Text.Json.JsonSerializer.Deserialize<string[]>(values["genres"]) ?? throw new FormatException("no genres"));
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"Catalogue '{location}' does not say which model made it: {e.Message}", e);
        }
    }

    /// <summary>Why embeddings of <paramref name="other"/> cannot be searched in this catalogue, or null when they can.</summary>
    public string? Mismatch(CatalogueIdentity other)
    {
        if (ModelName != other.ModelName || ModelVersion != other.ModelVersion)
        {
            return $"it was made by model {Model}, not {other.Model}";
        }

        if (EmbeddingLength != other.EmbeddingLength)
        {
            return $"its embeddings have {EmbeddingLength} values, the model's {other.EmbeddingLength}";
        }

        return Genres.SequenceEqual(other.Genres) ? null : "its genres differ from the model's";
    }

    /// <summary>A poster's genres as a bit mask over <see cref="Genres"/>; names not among them are left out.</summary>
    public ulong MaskOf(IEnumerable<string> genres)
    {
        ulong mask = 0;
        foreach (var genre in genres)
        {
            var index = Array.IndexOf(Genres, genre);
            if (index >= 0)
            {
                mask |= 1UL << index;
            }
        }

        return mask;
    }
}
