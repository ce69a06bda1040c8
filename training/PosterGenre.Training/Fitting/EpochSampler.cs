using PosterGenre.Training.Data;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// The order of the training posters in each epoch. Without a threshold, every poster once in a
/// random order. With one, repeat factor sampling (Gupta et al. 2019, LVIS): a genre whose share of
/// the training posters <c>f</c> is below the threshold <c>t</c> gets the factor sqrt(t / f), a
/// poster the largest factor of its genres (1 if none is rare), and each epoch repeats it that many
/// times on average (the fraction by a coin flip). The repeated list is shuffled and cut to the
/// training set's size, so an epoch costs what it did and the rare genres' posters are seen more
/// often at the expense of the common ones.
/// </summary>
public sealed class EpochSampler
{
    private readonly int[] train;
    private readonly double[] factors;

    public EpochSampler(IReadOnlyList<PosterRecord> posters, int[] train, double threshold)
    {
        this.train = train;
        var genres = posters[0].Labels.Length;
        GenreFactors = new double[genres];
        for (var g = 0; g < genres; g++)
        {
            var share = train.Count(i => posters[i].Labels[g]) / (double)train.Length;
            GenreFactors[g] = threshold > 0 && share > 0 ? Math.Max(1, Math.Sqrt(threshold / share)) : 1;
        }

        factors = [.. train.Select(i => Enumerable.Range(0, genres).Where(g => posters[i].Labels[g]).Select(g => GenreFactors[g]).DefaultIfEmpty(1).Max())];
    }

    /// <summary>Per genre, how many times a poster of it is repeated per epoch (1: not a rare genre).</summary>
    public double[] GenreFactors { get; }

    /// <summary>The posters' average repeat factor: the length of an epoch before it is cut, relative to the training set.</summary>
    public double Expansion => factors.Average();

    /// <summary>The next epoch's poster indices, <c>train.Length</c> of them; advances <paramref name="random"/>.</summary>
    public int[] NextEpoch(Random random)
    {
        if (factors.All(f => f == 1))
        {
            // As every run before repeat factor sampling drew it, so their orders stay reproducible.
            return [.. train.OrderBy(_ => random.Next())];
        }

        var repeated = new List<int>((int)(train.Length * Expansion) + train.Length);
        for (var p = 0; p < train.Length; p++)
        {
            var whole = (int)Math.Floor(factors[p]);
            var times = whole + (random.NextDouble() < factors[p] - whole ? 1 : 0);
            repeated.AddRange(Enumerable.Repeat(train[p], times));
        }

        return [.. repeated.OrderBy(_ => random.Next()).Take(train.Length)];
    }
}
