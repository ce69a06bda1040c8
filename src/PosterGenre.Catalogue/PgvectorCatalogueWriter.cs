using Npgsql;
using Pgvector;

namespace PosterGenre.Catalogue;

/// <summary>The PostgreSQL store opened for adding posters: its tables made when missing, refused when another model made them.</summary>
public sealed class PgvectorCatalogueWriter : ICatalogueWriter
{
    private readonly NpgsqlDataSource source;

    private PgvectorCatalogueWriter(NpgsqlDataSource source, string location, CatalogueIdentity identity)
    {
        this.source = source;
        Location = location;
        Identity = identity;
    }

    public string Location { get; }

    public CatalogueIdentity Identity { get; }

    /// <exception cref="InvalidDataException">The database cannot be reached, or holds another model's catalogue.</exception>
    public static PgvectorCatalogueWriter Open(string connectionString, CatalogueIdentity identity)
    {
        var location = PgvectorSchema.Describe(connectionString);
        var source = PgvectorSchema.Connect(connectionString);
        try
        {
            if (PgvectorSchema.ReadIdentity(source, location) is { } existing)
            {
                if (existing.Mismatch(identity) is { } why)
                {
                    throw new InvalidDataException($"Catalogue '{location}' cannot take posters embedded by {identity.Model}: {why}. Index into another database or schema.");
                }
            }
            else
            {
                PgvectorSchema.Create(source, identity);
            }

            return new PgvectorCatalogueWriter(source, location, identity);
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException)
        {
            source.Dispose();
            throw new InvalidDataException($"Catalogue '{location}' cannot be written: {e.Message}", e);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public IReadOnlySet<string> Ids()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var command = source.CreateCommand("SELECT id FROM posters");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void Add(IReadOnlyList<CatalogueEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (poster, thumbnail, embedding) in entries)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO posters (id, file_name, title, genres, predicted, filter_genres, thumbnail, embedding)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """);
            insert.Parameters.AddWithValue(poster.Id);
            insert.Parameters.AddWithValue(poster.FileName);
            insert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = poster.Title, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<string[]?> { TypedValue = poster.Genres, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
            insert.Parameters.AddWithValue(poster.Predicted);
            insert.Parameters.AddWithValue(poster.FilterGenres.ToArray());
            insert.Parameters.AddWithValue(thumbnail);
            insert.Parameters.AddWithValue(new Vector(embedding));
            batch.BatchCommands.Add(insert);
        }

        batch.ExecuteNonQuery();
        transaction.Commit();
    }

    public void Dispose() => source.Dispose();
}
