using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace PosterGenre.Catalogue;

/// <summary>The embedded store opened for adding posters: made when missing, refused when another model made it.</summary>
public sealed class SqliteCatalogueWriter : ICatalogueWriter
{
    private readonly SqliteConnection connection;

    private SqliteCatalogueWriter(string path, SqliteConnection connection, CatalogueIdentity identity)
    {
        Location = path;
        this.connection = connection;
        Identity = identity;
    }

    public string Location { get; }

    public CatalogueIdentity Identity { get; }

    /// <exception cref="InvalidDataException">The file is not a catalogue, or one made by another model.</exception>
    public static SqliteCatalogueWriter Open(string path, CatalogueIdentity identity)
    {
        var connection = SqliteSchema.Open(path, SqliteOpenMode.ReadWriteCreate);
        try
        {
            if (SqliteSchema.ReadIdentity(connection, path) is { } existing)
            {
                if (existing.Mismatch(identity) is { } why)
                {
                    throw new InvalidDataException($"Catalogue '{path}' cannot take posters embedded by {identity.Model}: {why}. Index into a new catalogue.");
                }
            }
            else
            {
                SqliteSchema.Create(connection, identity);
            }

            return new SqliteCatalogueWriter(path, connection, identity);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new InvalidDataException($"Catalogue '{path}' cannot be written: {e.Message}", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public IReadOnlySet<string> Ids()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM posters";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public void Add(IReadOnlyList<CatalogueEntry> entries)
    {
        using var transaction = connection.BeginTransaction();
        foreach (var (poster, thumbnail, embedding) in entries)
        {
            SqliteSchema.Execute(connection, """
                INSERT INTO posters (id, file_name, title, genres, predicted, thumbnail, embedding)
                VALUES ($id, $file, $title, $genres, $predicted, $thumbnail, $embedding)
                """,
                ("$id", poster.Id), ("$file", poster.FileName), ("$title", poster.Title), ("$genres", SqliteSchema.Join(poster.Genres)),
                ("$predicted", SqliteSchema.Join(poster.Predicted)), ("$thumbnail", thumbnail), ("$embedding", MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray()));
        }

        transaction.Commit();
    }

    public void Dispose() => connection.Dispose();
}
