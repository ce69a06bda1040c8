using Npgsql;
using Pgvector.Npgsql;

namespace PosterGenre.Catalogue;

/// <summary>
/// The PostgreSQL store's tables, in the database (and schema: <c>Search Path</c> in the connection
/// string) the connection string names: <c>catalogue</c> (format and the model's identity, as in the
/// SQLite file) and <c>posters</c>, whose <c>embedding</c> is a pgvector <c>vector</c> with an HNSW
/// index for inner product (the embeddings are of unit length, so it orders as cosine does) and
/// whose <c>filter_genres</c> (<see cref="CataloguePoster.FilterGenres"/>) has a GIN index.
/// </summary>
internal static class PgvectorSchema
{
    public static NpgsqlDataSource Connect(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return builder.Build();
    }

    /// <summary>Where the catalogue is, without the password: "PostgreSQL host:port/database".</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var parts = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL {parts.Host}:{parts.Port}/{parts.Database}" + (parts.SearchPath is { Length: > 0 } schema ? $" (schema {schema})" : "");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The PostgreSQL connection string cannot be read: {e.Message}", e);
        }
    }

    public static void Create(NpgsqlDataSource source, CatalogueIdentity identity)
    {
        using var connection = source.OpenConnection();
        using (var extension = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection))
        {
            extension.ExecuteNonQuery();
        }

        connection.ReloadTypes();
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"""
            CREATE TABLE catalogue (key text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE posters (
                id text PRIMARY KEY, file_name text NOT NULL, title text, genres text[], predicted text[] NOT NULL,
                filter_genres text[] NOT NULL, thumbnail bytea NOT NULL, embedding vector({identity.EmbeddingLength}) NOT NULL);
            CREATE INDEX posters_embedding ON posters USING hnsw (embedding vector_ip_ops);
            CREATE INDEX posters_filter_genres ON posters USING gin (filter_genres);
            """);
        foreach (var (key, value) in identity.ToRows())
        {
            Execute(connection, "INSERT INTO catalogue (key, value) VALUES ($1, $2)", key, value);
        }

        transaction.Commit();
    }

    /// <summary>The identity the database records, or null when it has no catalogue yet.</summary>
    public static CatalogueIdentity? ReadIdentity(NpgsqlDataSource source, string location)
    {
        using var connection = source.OpenConnection();
        using (var exists = new NpgsqlCommand("SELECT to_regclass('catalogue') IS NOT NULL", connection))
        {
            if (!(bool)exists.ExecuteScalar()!)
            {
                return null;
            }
        }

        var values = new Dictionary<string, string>();
        using var command = new NpgsqlCommand("SELECT key, value FROM catalogue", connection);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            values[reader.GetString(0)] = reader.GetString(1);
        }

        return CatalogueIdentity.FromRows(values, location);
    }

    public static void Execute(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        command.ExecuteNonQuery();
    }
}
