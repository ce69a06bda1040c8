using Npgsql;
using Pgvector;

namespace PosterGenre.Catalogue;

/// <summary>
/// The PostgreSQL store opened for searching: every query goes to the database, so several service
/// replicas share one catalogue that <c>index</c> can add to while they serve. The nearest posters
/// come from the HNSW index (approximate: its recall against exact search is in docs/similar.md),
/// with pgvector's iterative scan so that a genre filter still finds k posters.
/// </summary>
public sealed class PgvectorCatalogue : IPosterCatalogue
{
    private readonly NpgsqlDataSource source;

    private PgvectorCatalogue(NpgsqlDataSource source, string location, CatalogueIdentity identity)
    {
        this.source = source;
        Location = location;
        Identity = identity;
    }

    public string Location { get; }

    public CatalogueIdentity Identity { get; }

    /// <summary>Candidates the HNSW search keeps per query, at least: pgvector's default (40), or twice k when that is more.</summary>
    public const int MinEfSearch = 40;

    /// <exception cref="InvalidDataException">The database cannot be reached or holds no catalogue; the message names it.</exception>
    public static PgvectorCatalogue Open(string connectionString)
    {
        var location = PgvectorSchema.Describe(connectionString);
        var source = PgvectorSchema.Connect(connectionString);
        try
        {
            var identity = PgvectorSchema.ReadIdentity(source, location)
                ?? throw new InvalidDataException($"Catalogue '{location}' does not exist: the database has no catalogue table (make it with postergenre-train index --postgres).");
            return new PgvectorCatalogue(source, location, identity);
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException)
        {
            source.Dispose();
            throw new InvalidDataException($"Catalogue '{location}' cannot be read: {e.Message}", e);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT count(*) FROM posters");
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<(CataloguePoster Poster, float[] Embedding)?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT id, file_name, title, genres, predicted, embedding FROM posters WHERE id = $1");
        command.Parameters.AddWithValue(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (Poster(reader), reader.GetFieldValue<Vector>(5).ToArray()) : null;
    }

    public async Task<IReadOnlyList<CatalogueNeighbour>> SearchAsync(float[] query, int k, string? genre = null, string? except = null, CancellationToken cancellationToken = default)
    {
        if (query.Length != Identity.EmbeddingLength)
        {
            throw new ArgumentException($"The query has {query.Length} values; the catalogue's embeddings {Identity.EmbeddingLength}.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // SET LOCAL takes no parameters; ef_search is a whole number computed here.
        await using (var settings = new NpgsqlCommand($"SET LOCAL hnsw.ef_search = {Math.Max(MinEfSearch, 2 * k)}; SET LOCAL hnsw.iterative_scan = strict_order", connection, transaction))
        {
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand("""
            SELECT id, file_name, title, genres, predicted, -(embedding <#> $1) AS score FROM posters
            WHERE ($2::text IS NULL OR $2 = ANY(filter_genres)) AND ($3::text IS NULL OR id <> $3)
            ORDER BY embedding <#> $1 LIMIT $4
            """, connection, transaction);
        command.Parameters.AddWithValue(new Vector(query));
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = genre, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = except, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue(k);
        var found = new List<CatalogueNeighbour>(k);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(new CatalogueNeighbour(Poster(reader), (float)reader.GetDouble(5)));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return found;
    }

    public async Task<byte[]?> ThumbnailAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var command = source.CreateCommand("SELECT thumbnail FROM posters WHERE id = $1");
        command.Parameters.AddWithValue(id);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public void Dispose() => source.Dispose();

    private static CataloguePoster Poster(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetFieldValue<string[]>(3), reader.GetFieldValue<string[]>(4));
}
