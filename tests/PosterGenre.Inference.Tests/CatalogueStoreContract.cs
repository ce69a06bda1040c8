using PosterGenre.Catalogue;
using PosterGenre.Tests;

namespace PosterGenre.Inference.Tests;

/// <summary>
/// What both catalogue stores must do, each run against a real store: batches kept and added to,
/// the exact nearest posters of 60 (few enough that the HNSW index of PostgreSQL finds them all),
/// the genre filter, and another model's posters refused naming both models.
/// </summary>
public abstract class CatalogueStoreContract
{
    protected static readonly CatalogueIdentity Identity = CatalogueStoreTests.Identity;

    /// <summary>A new, empty place for a catalogue in the store under test.</summary>
    protected abstract CatalogueLocation NewLocation();

    [Fact]
    public async Task TheStoreKeepsEveryBatchAndReadsBackTheExactAnswers()
    {
        var location = NewLocation();
        var entries = CatalogueStoreTests.Entries(60, seed: 5);
        using (var writer = location.OpenForIndex(Identity))
        {
            writer.Add(entries[..40]);
        }

        using (var writer = location.OpenForIndex(Identity))
        {
            Assert.Equal(40, writer.Ids().Count);
            writer.Add(entries[40..]);
        }

        using var catalogue = location.OpenForSearch();
        var memory = new ExactIndex(Identity, [.. entries.Select(e => e.Poster)], [.. entries.SelectMany(e => e.Embedding)]);
        Assert.Equal(60, await catalogue.CountAsync());
        Assert.Equal(Identity.Genres, catalogue.Identity.Genres);
        var (poster, embedding) = (await catalogue.FindAsync(entries[7].Poster.Id))!.Value;
        Assert.Equal(entries[7].Poster.Genres, poster.Genres);
        Assert.Equal(entries[7].Embedding, embedding);
        Assert.Equal(entries[7].Thumbnail, await catalogue.ThumbnailAsync(entries[7].Poster.Id));
        Assert.Null(await catalogue.ThumbnailAsync("nope"));
        Assert.Null(await catalogue.FindAsync("nope"));
        var query = CatalogueStoreTests.UnitVector(new Random(1));
        Assert.Equal(memory.Search(query, 5, "Drama").Select(n => n.Poster.Id), (await catalogue.SearchAsync(query, 5, "Drama")).Select(n => n.Poster.Id));
        Assert.Equal(memory.Search(query, 5).Select(n => n.Score), (await catalogue.SearchAsync(query, 5)).Select(n => n.Score), (a, b) => Math.Abs(a - b) <= 1e-5f);
        Assert.DoesNotContain(entries[7].Poster.Id, (await catalogue.SearchAsync(entries[7].Embedding, 10, except: entries[7].Poster.Id)).Select(n => n.Poster.Id));
    }

    [Fact]
    public void AnotherModelsPostersAreRefusedNamingBothModels()
    {
        var location = NewLocation();
        location.OpenForIndex(Identity).Dispose();

        var other = Identity with { ModelVersion = "2.0.0" };
        var e = Assert.Throws<InvalidDataException>(() => location.OpenForIndex(other));
        Assert.Contains("test-model 1.0.0, not test-model 2.0.0", e.Message);
        using var catalogue = location.OpenForSearch();
        Assert.Contains(catalogue.Location, e.Message);
    }
}

/// <summary>The embedded store: a SQLite file.</summary>
public sealed class SqliteStoreTests : CatalogueStoreContract, IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-sqlite-").FullName;

    protected override CatalogueLocation NewLocation() => new(Path.Combine(dir, $"{Guid.NewGuid():N}.db"), null);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}

/// <summary>
/// The PostgreSQL store, on the server scripts/test.sh starts (scripts/start-postgres.sh; its
/// connection string in POSTERGENRE_TEST_POSTGRES): each test in a schema of its own.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PgvectorStoreTests : CatalogueStoreContract
{
    protected override CatalogueLocation NewLocation() => new(null, TestPostgres.NewSchema());
}
