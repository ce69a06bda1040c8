using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>
/// The catalogue that "posters like this one" searches (docs/similar.md): a SQLite file
/// (<see cref="Path"/>) or a PostgreSQL database with pgvector (<see cref="ConnectionString"/>);
/// none when both are empty, and then the similar-poster endpoints answer 404 no-catalogue.
/// </summary>
public sealed class CatalogueOptions
{
    /// <summary>The catalogue file (SQLite) written by <c>postergenre-train index</c>, relative to the application folder or absolute.</summary>
    public string Path { get; set; } = "";

    /// <summary>A PostgreSQL connection string (Npgsql's form: <c>Host=...;Database=...;Username=...;Password=...</c>) whose database holds the catalogue.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Most neighbours one request may ask for (<c>k</c>).</summary>
    [Range(1, 1000)]
    public int MaxNeighbours { get; set; } = 100;

    public bool IsConfigured => Location.IsGiven;

    /// <summary>The configured store; a relative file path is resolved against the application folder.</summary>
    public PosterGenre.Catalogue.CatalogueLocation Location =>
        new(string.IsNullOrWhiteSpace(Path) ? null : ServingOptions.Resolve(Path), string.IsNullOrWhiteSpace(ConnectionString) ? null : ConnectionString);
}
