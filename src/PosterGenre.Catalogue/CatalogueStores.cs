namespace PosterGenre.Catalogue;

/// <summary>
/// Where a catalogue lives: a SQLite file (the embedded store, one machine) or a PostgreSQL
/// database with pgvector (several machines); exactly one of the two is given.
/// </summary>
public sealed record CatalogueLocation(string? File, string? ConnectionString)
{
    public bool IsGiven => !string.IsNullOrWhiteSpace(File) || !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>Why the location cannot be used (both or neither given), or null.</summary>
    public string? Problem => string.IsNullOrWhiteSpace(File) == string.IsNullOrWhiteSpace(ConnectionString)
        ? "give either a catalogue file (SQLite) or a PostgreSQL connection string, not both"
        : null;

    /// <exception cref="InvalidDataException">The catalogue cannot be opened; the message names it.</exception>
    public IPosterCatalogue OpenForSearch() =>
        string.IsNullOrWhiteSpace(ConnectionString) ? SqliteCatalogue.Open(File!) : PgvectorCatalogue.Open(ConnectionString);

    /// <exception cref="InvalidDataException">The catalogue cannot be written, or holds another model's posters.</exception>
    public ICatalogueWriter OpenForIndex(CatalogueIdentity identity) =>
        string.IsNullOrWhiteSpace(ConnectionString) ? SqliteCatalogueWriter.Open(File!, identity) : PgvectorCatalogueWriter.Open(ConnectionString, identity);
}
