namespace PosterGenre.Catalogue;

/// <summary>
/// One poster of a catalogue: its id (the image's file name without extension), file name, the
/// title and genres a CSV gave it (if any) and the genres the catalogue's model predicted.
/// </summary>
public sealed record CataloguePoster(string Id, string FileName, string? Title, string[]? Genres, string[] Predicted)
{
    /// <summary>What a genre filter matches: the labelled genres where the catalogue has them, the predicted ones otherwise.</summary>
    public IReadOnlyList<string> FilterGenres => Genres ?? Predicted;
}

/// <summary>A poster to add to a catalogue, with its thumbnail (JPEG) and embedding.</summary>
public sealed record CatalogueEntry(CataloguePoster Poster, byte[] Thumbnail, float[] Embedding);

/// <summary>A poster found near a query, with its cosine similarity to it (1 is the same direction).</summary>
public sealed record CatalogueNeighbour(CataloguePoster Poster, float Score);
