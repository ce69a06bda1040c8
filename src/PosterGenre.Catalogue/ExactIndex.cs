using System.Numerics.Tensors;

namespace PosterGenre.Catalogue;

/// <summary>
/// Exact nearest neighbours in memory: every poster's embedding in one array, scored against a
/// query by SIMD dot products (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>;
/// the embeddings are of unit length, so the dot product is the cosine similarity), the best
/// <c>k</c> kept in a heap. One core scans 100,000 posters of 512 values in about the time
/// docs/similar.md gives (<c>PosterGenre.Benchmarks search</c>).
/// </summary>
public sealed class ExactIndex
{
    private readonly CatalogueIdentity identity;
    private readonly CataloguePoster[] posters;
    private readonly float[] vectors;
    private readonly ulong[] genreMasks;
    private readonly Dictionary<string, int> rows;

    /// <param name="posters">The posters, in row order.</param>
    /// <param name="vectors">Their embeddings one after another, <see cref="CatalogueIdentity.EmbeddingLength"/> values each.</param>
    public ExactIndex(CatalogueIdentity identity, CataloguePoster[] posters, float[] vectors)
    {
        if (vectors.Length != posters.Length * identity.EmbeddingLength)
        {
            throw new ArgumentException($"{posters.Length} posters need {posters.Length * identity.EmbeddingLength} values; {vectors.Length} were given.", nameof(vectors));
        }

        this.identity = identity;
        this.posters = posters;
        this.vectors = vectors;
        genreMasks = [.. posters.Select(p => identity.MaskOf(p.FilterGenres))];
        rows = new Dictionary<string, int>(posters.Length, StringComparer.Ordinal);
        for (var i = 0; i < posters.Length; i++)
        {
            rows[posters[i].Id] = i;
        }
    }

    public int Count => posters.Length;

    public (CataloguePoster Poster, float[] Embedding)? Find(string id) =>
        rows.TryGetValue(id, out var row) ? (posters[row], Vector(row).ToArray()) : null;

    /// <inheritdoc cref="IPosterCatalogue.SearchAsync"/>
    public IReadOnlyList<CatalogueNeighbour> Search(ReadOnlySpan<float> query, int k, string? genre = null, string? except = null)
    {
        if (query.Length != identity.EmbeddingLength)
        {
            throw new ArgumentException($"The query has {query.Length} values; the catalogue's embeddings {identity.EmbeddingLength}.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var wanted = genre is null ? 0 : identity.MaskOf([genre]);
        if (genre is not null && wanted == 0)
        {
            throw new ArgumentException($"'{genre}' is not one of the catalogue's genres.", nameof(genre));
        }

        var skipped = except is not null && rows.TryGetValue(except, out var row) ? row : -1;
        var best = new PriorityQueue<int, float>(k + 1); // the lowest of the best k on top
        for (var i = 0; i < posters.Length; i++)
        {
            if ((wanted != 0 && (genreMasks[i] & wanted) == 0) || i == skipped)
            {
                continue;
            }

            var score = TensorPrimitives.Dot(Vector(i), query);
            if (best.Count < k)
            {
                best.Enqueue(i, score);
            }
            else if (best.TryPeek(out _, out var lowest) && score > lowest)
            {
                best.DequeueEnqueue(i, score);
            }
        }

        var found = new List<CatalogueNeighbour>(best.Count);
        while (best.TryDequeue(out var i, out var score))
        {
            found.Add(new CatalogueNeighbour(posters[i], score));
        }

        found.Reverse();
        return found;
    }

    private ReadOnlySpan<float> Vector(int row) => vectors.AsSpan(row * identity.EmbeddingLength, identity.EmbeddingLength);
}
