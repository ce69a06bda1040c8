namespace PosterGenre.Catalogue;

/// <summary>A catalogue opened for searching (by the service): posters by their embeddings.</summary>
public interface IPosterCatalogue : IDisposable
{
    /// <summary>Where it is, for messages: a file, or a database without its password.</summary>
    string Location { get; }

    CatalogueIdentity Identity { get; }

    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>The poster with this id and its embedding, or null when there is none.</summary>
    Task<(CataloguePoster Poster, float[] Embedding)?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The <paramref name="k"/> posters nearest to <paramref name="query"/> (unit length) by cosine
    /// similarity, best first; only posters with <paramref name="genre"/> among their
    /// <see cref="CataloguePoster.FilterGenres"/> when it is given, and never <paramref name="except"/>.
    /// </summary>
    Task<IReadOnlyList<CatalogueNeighbour>> SearchAsync(float[] query, int k, string? genre = null, string? except = null, CancellationToken cancellationToken = default);

    /// <summary>The poster's thumbnail (JPEG), or null when there is no such poster.</summary>
    Task<byte[]?> ThumbnailAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>A catalogue opened for adding posters (by <c>postergenre-train index</c>).</summary>
public interface ICatalogueWriter : IDisposable
{
    string Location { get; }

    CatalogueIdentity Identity { get; }

    /// <summary>The ids already in it: indexing a folder again adds only the others.</summary>
    IReadOnlySet<string> Ids();

    /// <summary>Adds posters as one transaction, so an interrupted index keeps every batch it finished.</summary>
    void Add(IReadOnlyList<CatalogueEntry> entries);
}
