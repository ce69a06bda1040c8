using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PosterGenre.Catalogue;

namespace PosterGenre.Benchmarks;

/// <summary>
/// <c>recall CONNECTION [posters] [queries] [k]</c>: how many of the true k nearest posters the
/// PostgreSQL store's HNSW search returns. Fills a new schema with synthetic unit vectors of 512
/// values (or, with <c>--from CATALOGUE.db</c>, a SQLite catalogue's real embeddings), asks it
/// for the k nearest to each query with and without a genre filter, and compares with the exact
/// answer of the embedded store's search over the same vectors; prints recall@k and the
/// queries' latencies. The schema is dropped at the end.
/// </summary>
internal static class PgvectorRecall
{
    private static readonly string[] Genres = ["Action", "Comedy", "Drama", "Horror", "Romance"];

    public static async Task<int> RunAsync(string server, int count, int queries, int k, string? from)
    {
        var (identity, entries) = from is null ? Synthetic(count) : await Real(from);
        var schema = $"recall_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"CREATE SCHEMA {schema}", admin).ExecuteNonQueryAsync();
        }

        var location = new CatalogueLocation(null, new NpgsqlConnectionStringBuilder(server) { SearchPath = $"{schema},public" }.ConnectionString);
        try
        {
            var clock = Stopwatch.StartNew();
            using (var writer = location.OpenForIndex(identity))
            {
                foreach (var chunk in entries.Chunk(1000))
                {
                    writer.Add(chunk);
                }
            }

            Console.WriteLine($"recall: {entries.Length} posters of {identity.EmbeddingLength} values ({(from is null ? "synthetic unit vectors" : from)}) written and indexed (HNSW) in {clock.Elapsed.TotalSeconds:F0} s");
            var exact = new ExactIndex(identity, [.. entries.Select(e => e.Poster)], [.. entries.SelectMany(e => e.Embedding)]);
            using var catalogue = location.OpenForSearch();
            var random = new Random(7);
            foreach (var genre in (string?[])[null, "Drama"])
            {
                var found = 0.0;
                var latencies = new List<double>();
                for (var q = 0; q < queries; q++)
                {
                    // A catalogue poster's own embedding as the query (it is left out), as GET .../similar asks.
                    var query = entries[random.Next(entries.Length)];
                    var truth = exact.Search(query.Embedding, k, genre, except: query.Poster.Id).Select(n => n.Poster.Id).ToHashSet();
                    clock.Restart();
                    var answer = await catalogue.SearchAsync(query.Embedding, k, genre, except: query.Poster.Id);
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                    found += answer.Count(n => truth.Contains(n.Poster.Id)) / (double)truth.Count;
                }

                var sorted = latencies.Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"recall: {(genre is null ? "no filter" : $"genre {genre} (a {(from is null ? "fifth" : "share")} of the posters)")}: recall@{k} {found / queries:F4} over {queries} queries; latency p50 {Percentiles.Of(sorted, 0.5):F1} ms, p99 {Percentiles.Of(sorted, 0.99):F1} ms"));
            }
        }
        finally
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", admin).ExecuteNonQueryAsync();
        }

        return 0;
    }

    private static (CatalogueIdentity, CatalogueEntry[]) Synthetic(int count)
    {
        var identity = new CatalogueIdentity("synthetic", "1.0.0", 512, Genres);
        var random = new Random(42);
        return (identity, [.. Enumerable.Range(0, count).Select(i =>
        {
            var v = new float[identity.EmbeddingLength];
            for (var j = 0; j < v.Length; j++)
            {
                v[j] = (float)(random.NextDouble() * 2 - 1);
            }

            System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm(v), v);
            return new CatalogueEntry(new CataloguePoster($"p{i}", $"p{i}.jpg", null, null, [Genres[i % Genres.Length]]), [0], v);
        })]);
    }

    private static async Task<(CatalogueIdentity, CatalogueEntry[])> Real(string file)
    {
        using var catalogue = SqliteCatalogue.Open(file);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly");
        await connection.OpenAsync();
        var ids = new List<string>();
        await using (var command = new Microsoft.Data.Sqlite.SqliteCommand("SELECT id FROM posters ORDER BY rowid", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
        }

        var entries = new List<CatalogueEntry>();
        foreach (var id in ids)
        {
            var (poster, embedding) = (await catalogue.FindAsync(id))!.Value;
            entries.Add(new CatalogueEntry(poster, [0], embedding));
        }

        return (catalogue.Identity, [.. entries]);
    }
}
