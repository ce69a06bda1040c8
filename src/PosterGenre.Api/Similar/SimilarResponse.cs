using PosterGenre.Api.Predictions;

namespace PosterGenre.Api.Similar;

/// <summary>
/// The answer to a similar-posters request: the catalogue's model, the poster asked about (an
/// upload's genres, or the catalogue poster's id) and its neighbours, most similar first.
/// </summary>
public sealed record SimilarResponse(ModelReference Model, PosterResult? Poster, string? Id, IReadOnlyList<SimilarPoster> Neighbours);

/// <summary>
/// A catalogue poster near the query: <see cref="Score"/> is the cosine similarity of the two
/// embeddings (1 for the same direction); <see cref="Genres"/> are the catalogue's labels (from its
/// CSV, when it had one), <see cref="Predicted"/> the model's; <see cref="Thumbnail"/> is the URL of
/// its thumbnail on this service.
/// </summary>
public sealed record SimilarPoster(string Id, string FileName, string? Title, float Score, IReadOnlyList<string>? Genres, IReadOnlyList<string> Predicted, string Thumbnail);

/// <summary>What <c>GET /api/v1/catalogue</c> says: the model that embedded it, how many posters, the largest <c>k</c> and the genres a filter takes.</summary>
public sealed record CatalogueSummary(ModelReference Model, int Posters, int MaxNeighbours, IReadOnlyList<string> Genres);
