using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace PosterGenre.Catalogue;

/// <summary>
/// The embedded store's file: a SQLite database with a <c>catalogue</c> table of keys and values
/// (the format and the model's identity) and a <c>posters</c> table, one row per poster with its
/// thumbnail (JPEG) and embedding (float32, little-endian) as blobs.
/// </summary>
internal static class SqliteSchema
{
    public static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode }.ToString());
        connection.Open();
        return connection;
    }

    public static void Create(SqliteConnection connection, CatalogueIdentity identity)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, """
            CREATE TABLE catalogue (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE posters (
                id TEXT PRIMARY KEY, file_name TEXT NOT NULL, title TEXT, genres TEXT, predicted TEXT NOT NULL,
                thumbnail BLOB NOT NULL, embedding BLOB NOT NULL);
            """);
        foreach (var (key, value) in identity.ToRows())
        {
            Execute(connection, "INSERT INTO catalogue (key, value) VALUES ($key, $value)", ("$key", key), ("$value", value));
        }

        transaction.Commit();
    }

    /// <summary>The identity the file records, or null for an empty file (one the writer may start).</summary>
    /// <exception cref="InvalidDataException">It is not a catalogue of this format.</exception>
    public static CatalogueIdentity? ReadIdentity(SqliteConnection connection, string path)
    {
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
        if (Convert.ToInt64(tables.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT key, value FROM catalogue";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                values[reader.GetString(0)] = reader.GetString(1);
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"Catalogue '{path}' is not a PosterGenre catalogue: {e.Message}", e);
        }

        return CatalogueIdentity.FromRows(values, path);
    }

    public static string? Join(string[]? values) => values is null ? null : JsonSerializer.Serialize(values);

    public static string[]? Split(string? text) => text is null ? null : JsonSerializer.Deserialize<string[]>(text);

    public static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }
}
