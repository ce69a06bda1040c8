namespace PosterGenre.Training.Data;

/// <summary>
/// Multi-label stratified split: Sechidis, Tsoumakas and Vlahavas, "On the Stratification of
/// Multi-Label Data" (ECML PKDD 2011), algorithm 1. Rare genres are placed first, so each subset
/// gets close to its share of every genre; ties are broken by a seeded generator, so the same
/// seed and data give the same split.
/// </summary>
public static class IterativeStratification
{
    /// <summary>Assigns each row of <paramref name="labels"/> to one of <paramref name="ratios"/>.Length subsets.</summary>
    public static int[] Split(IReadOnlyList<bool[]> labels, IReadOnlyList<double> ratios, int seed)
    {
        var random = new Random(seed);
        var n = labels.Count;
        var genres = n == 0 ? 0 : labels[0].Length;
        var k = ratios.Count;
        var total = ratios.Sum();

        var wanted = ratios.Select(r => n * r / total).ToArray();
        var wantedPerGenre = new double[k, genres];
        for (var g = 0; g < genres; g++)
        {
            var positives = labels.Count(l => l[g]);
            for (var s = 0; s < k; s++)
            {
                wantedPerGenre[s, g] = positives * ratios[s] / total;
            }
        }

        var assignment = Enumerable.Repeat(-1, n).ToArray();
        var remaining = new HashSet<int>(Enumerable.Range(0, n));
        while (remaining.Count > 0)
        {
            var genre = RarestGenre(labels, remaining, genres, random);
            List<int> rows;
            if (genre < 0)
            {
                rows = [.. remaining];
            }
            else
            {
                rows = [.. remaining.Where(i => labels[i][genre])];
            }

            Shuffle(rows, random);
            foreach (var row in rows)
            {
                var subset = genre < 0 ? MostWanted(wanted, random) : MostWantedFor(genre, wantedPerGenre, wanted, random);
                assignment[row] = subset;
                remaining.Remove(row);
                wanted[subset]--;
                for (var g = 0; g < genres; g++)
                {
                    if (labels[row][g])
                    {
                        wantedPerGenre[subset, g]--;
                    }
                }
            }
        }

        return assignment;
    }

    private static int RarestGenre(IReadOnlyList<bool[]> labels, HashSet<int> remaining, int genres, Random random)
    {
        var counts = new int[genres];
        foreach (var i in remaining)
        {
            for (var g = 0; g < genres; g++)
            {
                if (labels[i][g])
                {
                    counts[g]++;
                }
            }
        }

        var fewest = counts.Where(c => c > 0).DefaultIfEmpty(0).Min();
        if (fewest == 0)
        {
            return -1;
        }

        var candidates = Enumerable.Range(0, genres).Where(g => counts[g] == fewest).ToArray();
        return candidates[random.Next(candidates.Length)];
    }

    private static int MostWantedFor(int genre, double[,] wantedPerGenre, double[] wanted, Random random)
    {
        var k = wanted.Length;
        var best = Enumerable.Range(0, k).Max(s => wantedPerGenre[s, genre]);
        var tied = Enumerable.Range(0, k).Where(s => wantedPerGenre[s, genre] == best).ToArray();
        if (tied.Length == 1)
        {
            return tied[0];
        }

        var bestOverall = tied.Max(s => wanted[s]);
        var tiedOverall = tied.Where(s => wanted[s] == bestOverall).ToArray();
        return tiedOverall[random.Next(tiedOverall.Length)];
    }

    private static int MostWanted(double[] wanted, Random random)
    {
        var best = wanted.Max();
        var tied = Enumerable.Range(0, wanted.Length).Where(s => wanted[s] == best).ToArray();
        return tied[random.Next(tied.Length)];
    }

    private static void Shuffle(List<int> items, Random random)
    {
        items.Sort();
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
