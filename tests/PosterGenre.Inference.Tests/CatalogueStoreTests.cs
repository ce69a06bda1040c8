using PosterGenre.Catalogue;

namespace PosterGenre.Inference.Tests;

/// <summary>
/// The exact in-memory search against a brute-force ranking done here in double precision, the
/// genre filter and the poster left out, and damaged SQLite files refused by name.
/// </summary>
public sealed class CatalogueStoreTests : IDisposable
{
    internal static readonly CatalogueIdentity Identity = new("test-model", "1.0.0", 16, ["Action", "Comedy", "Drama"]);
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-catalogue-").FullName;

    [Fact]
    public void ExactSearchRanksLikeABruteForceCosine()
    {
        var entries = Entries(500, seed: 3);
        var index = new ExactIndex(Identity, [.. entries.Select(e => e.Poster)], [.. entries.SelectMany(e => e.Embedding)]);
        var query = UnitVector(new Random(9));

        var found = index.Search(query, 10);

        var expected = entries.Select(e => (e.Poster.Id, Score: e.Embedding.Zip(query, (a, b) => (double)a * b).Sum()))
            .OrderByDescending(x => x.Score).Take(10).ToList();
        Assert.Equal(expected.Select(x => x.Id), found.Select(n => n.Poster.Id));
        Assert.All(found.Zip(expected), pair => Assert.Equal(pair.Second.Score, pair.First.Score, 1e-5));
    }

    [Fact]
    public void TheGenreFilterAndTheLeftOutPosterAreHonoured()
    {
        var entries = Entries(200, seed: 4);
        var index = new ExactIndex(Identity, [.. entries.Select(e => e.Poster)], [.. entries.SelectMany(e => e.Embedding)]);
        var self = entries[17];

        var comedies = index.Search(self.Embedding, 20, genre: "Comedy", except: self.Poster.Id);
        var all = index.Search(self.Embedding, 1000);

        Assert.Equal(20, comedies.Count);
        Assert.All(comedies, n => Assert.Contains("Comedy", n.Poster.FilterGenres));
        Assert.DoesNotContain(comedies, n => n.Poster.Id == self.Poster.Id);
        Assert.Equal(self.Poster.Id, all[0].Poster.Id);
        Assert.Equal(1f, all[0].Score, 1e-5f);
        Assert.Equal(200, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Score >= p.Second.Score), "not best first");
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("garbage", "cannot be read")]
    [InlineData("other-database", "is not a PosterGenre catalogue")]
    [InlineData("empty", "is empty")]
    public void ABrokenFileIsRefusedNamingIt(string kind, string expected)
    {
        var path = Path.Combine(dir, kind + ".db");
        switch (kind)
        {
            case "garbage":
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
                break;
            case "other-database":
                using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "CREATE TABLE films (id TEXT)";
                    command.ExecuteNonQuery();
                }

                break;
            case "empty":
                File.WriteAllBytes(path, []);
                break;
        }

        var e = Assert.Throws<InvalidDataException>(() => SqliteCatalogue.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }

    internal static CatalogueEntry[] Entries(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            string[] genres = [.. Identity.Genres.Where(_ => random.Next(2) == 0)];
            return new CatalogueEntry(new CataloguePoster($"p{i:D4}", $"p{i:D4}.jpg", $"Poster {i}", i % 3 == 0 ? null : genres, [Identity.Genres[i % 3]]),
                [(byte)i, 1, 2], UnitVector(random));
        })];
    }

    internal static float[] UnitVector(Random random)
    {
        var v = Enumerable.Range(0, Identity.EmbeddingLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        return [.. v.Select(x => x / norm)];
    }
}
