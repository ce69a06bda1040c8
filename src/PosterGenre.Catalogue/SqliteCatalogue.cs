using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace PosterGenre.Catalogue;

/// <summary>
/// The embedded store, opened for searching: the file is read once at start into an
/// <see cref="ExactIndex"/> (embeddings and poster rows in memory; 100,000 posters of 512 values
/// take 205 MB), thumbnails are read from the file when asked for.
/// </summary>
public sealed class SqliteCatalogue : IPosterCatalogue
{
    private readonly ExactIndex index;

    private SqliteCatalogue(string path, CatalogueIdentity identity, ExactIndex index)
    {
        Location = path;
        Identity = identity;
        this.index = index;
    }

    public string Location { get; }

    public CatalogueIdentity Identity { get; }

    /// <exception cref="InvalidDataException">The file is missing, not a catalogue, or a row is damaged; the message names the file.</exception>
    public static SqliteCatalogue Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"Catalogue '{path}' does not exist (make it with postergenre-train index).");
        }

        try
        {
            using var connection = SqliteSchema.Open(path, SqliteOpenMode.ReadOnly);
            var identity = SqliteSchema.ReadIdentity(connection, path) ?? throw new InvalidDataException($"Catalogue '{path}' is empty: it has no tables.");
            return new SqliteCatalogue(path, identity, ReadIndex(connection, identity, path));
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"Catalogue '{path}' cannot be read: {e.Message}", e);
        }
    }

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(index.Count);

    public Task<(CataloguePoster Poster, float[] Embedding)?> FindAsync(string id, CancellationToken cancellationToken = default) => Task.FromResult(index.Find(id));

    public Task<IReadOnlyList<CatalogueNeighbour>> SearchAsync(float[] query, int k, string? genre = null, string? except = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(index.Search(query, k, genre, except));

    public async Task<byte[]?> ThumbnailAsync(string id, CancellationToken cancellationToken = default)
    {
        using var connection = SqliteSchema.Open(Location, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT thumbnail FROM posters WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public void Dispose()
    {
    }

    private static ExactIndex ReadIndex(SqliteConnection connection, CatalogueIdentity identity, string path)
    {
        var posters = new List<CataloguePoster>();
        var vectors = new List<float>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, file_name, title, genres, predicted, embedding FROM posters ORDER BY rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            var embedding = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(5));
            if (embedding.Length != identity.EmbeddingLength)
            {
                throw new InvalidDataException($"Catalogue '{path}': poster {id} has an embedding of {embedding.Length} values; the catalogue's model gives {identity.EmbeddingLength}.");
            }

            posters.Add(new CataloguePoster(id, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                SqliteSchema.Split(reader.IsDBNull(3) ? null : reader.GetString(3)), SqliteSchema.Split(reader.GetString(4))!));
            vectors.AddRange(embedding);
        }

        return new ExactIndex(identity, [.. posters], [.. vectors]);
    }
}
