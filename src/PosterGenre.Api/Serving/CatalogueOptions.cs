using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>
/// The catalogue that "posters like this one" searches (docs/similar.md); none when
/// <see cref="Path"/> is empty, and then the similar-poster endpoints answer 404 no-catalogue.
/// </summary>
public sealed class CatalogueOptions
{
    /// <summary>The catalogue file (SQLite) written by <c>postergenre-train index</c>, relative to the application folder or absolute.</summary>
    public string Path { get; set; } = "";

    /// <summary>Most neighbours one request may ask for (<c>k</c>).</summary>
    [Range(1, 1000)]
    public int MaxNeighbours { get; set; } = 100;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}
