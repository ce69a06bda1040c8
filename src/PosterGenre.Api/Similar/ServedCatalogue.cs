using Microsoft.Extensions.Options;
using PosterGenre.Api.Serving;
using PosterGenre.Catalogue;

namespace PosterGenre.Api.Similar;

/// <summary>
/// The catalogue the service searches (PosterGenre:Catalogue), opened at start after the models:
/// a missing, damaged or foreign catalogue (made by a model the service does not serve) stops the
/// service with one line naming it. None when it is not configured.
/// </summary>
public sealed class ServedCatalogue(IOptions<ServingOptions> options, ModelRegistry registry, ILogger<ServedCatalogue> logger) : IDisposable
{
    public IPosterCatalogue? Catalogue { get; private set; }

    public int MaxNeighbours => options.Value.Catalogue.MaxNeighbours;

    /// <exception cref="InvalidDataException">The catalogue cannot be used; the message names it and why.</exception>
    public void Open()
    {
        var settings = options.Value.Catalogue;
        if (!settings.IsConfigured || Catalogue is not null)
        {
            return;
        }

        var catalogue = settings.Location.OpenForSearch();
        if (ModelFor(catalogue.Identity) is null)
        {
            catalogue.Dispose();
            var served = string.Join(", ", registry.Models.Select(m => $"{m.Manifest.Name} {m.Manifest.Version}{(m.Model.CanEmbed ? "" : " (no embedding output)")}"));
            throw new InvalidDataException($"Catalogue '{catalogue.Location}' (PosterGenre:Catalogue) was made by {catalogue.Identity.Model}, which this service does not serve with an embedding output (it serves {served}). Index it again with a served model.");
        }

        Catalogue = catalogue;
        logger.LogInformation("Catalogue {Path}: {Count} posters embedded by {Model}", catalogue.Location, catalogue.CountAsync().GetAwaiter().GetResult(), catalogue.Identity.Model);
    }

    /// <summary>The served model whose embeddings the catalogue holds (by name, version and genres), or null when a reload changed it.</summary>
    public ServedModel? ModelFor(CatalogueIdentity identity) =>
        registry.Models.FirstOrDefault(m => m.Model.CanEmbed && CatalogueIdentity.Of(m.Manifest).Mismatch(identity) is null);

    public void Dispose() => Catalogue?.Dispose();
}
