using BenchmarkDotNet.Attributes;
using PosterGenre.Catalogue;

namespace PosterGenre.Benchmarks;

/// <summary>
/// The embedded catalogue's exact search on one thread (docs/similar.md): 10,000 and 100,000
/// posters of 512 values (synthetic unit vectors; a search's cost depends on the counts, not on
/// what the vectors hold), the best 10, with and without a genre filter. The floor, measured in
/// the same run, is the bare scan: one SIMD dot product per poster and nothing else.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private const int Dimensions = 512;
    private static readonly string[] Genres = ["Action", "Comedy", "Drama", "Horror", "Romance"];
    private ExactIndex index = null!;
    private float[] vectors = null!;
    private float[] query = null!;
    private float[] scores = null!;

    [Params(10_000, 100_000)]
    public int Posters { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        vectors = new float[Posters * Dimensions];
        for (var i = 0; i < Posters; i++)
        {
            UnitVector(random, vectors.AsSpan(i * Dimensions, Dimensions));
        }

        query = new float[Dimensions];
        UnitVector(random, query);
        scores = new float[Posters];
        var identity = new CatalogueIdentity("synthetic", "1.0.0", Dimensions, Genres);
        CataloguePoster[] posters = [.. Enumerable.Range(0, Posters).Select(i => new CataloguePoster($"p{i}", $"p{i}.jpg", null, null, [Genres[i % Genres.Length]]))];
        index = new ExactIndex(identity, posters, vectors);
    }

    [Benchmark(Baseline = true, Description = "floor: a dot product per poster")]
    public float[] Scan()
    {
        for (var i = 0; i < Posters; i++)
        {
            scores[i] = System.Numerics.Tensors.TensorPrimitives.Dot(vectors.AsSpan(i * Dimensions, Dimensions), query);
        }

        return scores;
    }

    [Benchmark(Description = "search, best 10")]
    public int Search() => index.Search(query, 10).Count;

    [Benchmark(Description = "search, best 10 of one genre (a fifth)")]
    public int SearchOneGenre() => index.Search(query, 10, genre: "Drama").Count;

    private static void UnitVector(Random random, Span<float> v)
    {
        for (var j = 0; j < v.Length; j++)
        {
            v[j] = (float)(random.NextDouble() * 2 - 1);
        }

        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, v);
    }
}
