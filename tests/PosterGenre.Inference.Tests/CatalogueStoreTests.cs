using PosterGenre.Catalogue;

namespace PosterGenre.Inference.Tests;

/// <summary>
/// The embedded catalogue: exact search against a brute-force ranking done here in double
/// precision, the genre filter and the poster left out, and the SQLite file written, added to and
/// read back, refusing another model's posters and damaged files by name.
/// </summary>
public sealed class CatalogueStoreTests : IDisposable
{
    private static readonly CatalogueIdentity Identity = new("test-model", "1.0.0", 16, ["Action", "Comedy", "Drama"]);
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

    [Fact]
    public async Task TheFileKeepsEveryBatchAndReadsBackTheSameAnswers()
    {
        var path = Path.Combine(dir, "catalogue.db");
        var entries = Entries(60, seed: 5);
        using (var writer = SqliteCatalogueWriter.Open(path, Identity))
        {
            writer.Add(entries[..40]);
        }

        using (var writer = SqliteCatalogueWriter.Open(path, Identity))
        {
            Assert.Equal(40, writer.Ids().Count);
            writer.Add(entries[40..]);
        }

        using var catalogue = SqliteCatalogue.Open(path);
        var memory = new ExactIndex(Identity, [.. entries.Select(e => e.Poster)], [.. entries.SelectMany(e => e.Embedding)]);
        Assert.Equal(60, await catalogue.CountAsync());
        Assert.Equal(Identity.Genres, catalogue.Identity.Genres);
        var (poster, embedding) = (await catalogue.FindAsync(entries[7].Poster.Id))!.Value;
        Assert.Equal(entries[7].Poster.Genres, poster.Genres);
        Assert.Equal(entries[7].Embedding, embedding);
        Assert.Equal(entries[7].Thumbnail, await catalogue.ThumbnailAsync(entries[7].Poster.Id));
        Assert.Null(await catalogue.ThumbnailAsync("nope"));
        Assert.Null(await catalogue.FindAsync("nope"));
        var query = UnitVector(new Random(1));
        Assert.Equal(memory.Search(query, 5, "Drama").Select(n => (n.Poster.Id, n.Score)), (await catalogue.SearchAsync(query, 5, "Drama")).Select(n => (n.Poster.Id, n.Score)));
    }

    [Fact]
    public void AnotherModelsPostersAreRefusedNamingBothModels()
    {
        var path = Path.Combine(dir, "catalogue.db");
        using (SqliteCatalogueWriter.Open(path, Identity))
        {
        }

        var other = Identity with { ModelVersion = "2.0.0" };
        var e = Assert.Throws<InvalidDataException>(() => SqliteCatalogueWriter.Open(path, other));
        Assert.Contains("test-model 1.0.0, not test-model 2.0.0", e.Message);
        Assert.Contains(path, e.Message);
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

    private static CatalogueEntry[] Entries(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            string[] genres = [.. Identity.Genres.Where(_ => random.Next(2) == 0)];
            return new CatalogueEntry(new CataloguePoster($"p{i:D4}", $"p{i:D4}.jpg", $"Poster {i}", i % 3 == 0 ? null : genres, [Identity.Genres[i % 3]]),
                [(byte)i, 1, 2], UnitVector(random));
        })];
    }

    private static float[] UnitVector(Random random)
    {
        var v = Enumerable.Range(0, Identity.EmbeddingLength).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        return [.. v.Select(x => x / norm)];
    }
}
