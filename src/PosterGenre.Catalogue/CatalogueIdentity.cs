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

    public string Model => $"{ModelName} {ModelVersion}";

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
