namespace PosterGenre.Inference;

/// <summary>Turns one poster's probabilities into the top genres and the predicted set.</summary>
public static class GenreDecision
{
    /// <summary>Indices of the <paramref name="k"/> largest probabilities, largest first; ties keep genre order.</summary>
    public static int[] TopK(ReadOnlySpan<float> probabilities, int k)
    {
        var order = new int[probabilities.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var p = probabilities.ToArray();
        Array.Sort(order, (a, b) => p[b] != p[a] ? p[b].CompareTo(p[a]) : a.CompareTo(b));
        return order[..Math.Min(k, order.Length)];
    }

    /// <summary>
    /// The genres whose probability reaches their threshold, capped at <paramref name="maxGenres"/>
    /// (most probable kept) and filled up to <paramref name="minGenres"/> with the most probable
    /// of the rest. Returned in descending probability.
    /// </summary>
    public static int[] Predict(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> thresholds, int minGenres, int maxGenres)
    {
        var ranked = TopK(probabilities, probabilities.Length);
        var chosen = new List<int>(maxGenres);
        foreach (var g in ranked)
        {
            if (chosen.Count < maxGenres && probabilities[g] >= thresholds[g])
            {
                chosen.Add(g);
            }
        }

        foreach (var g in ranked)
        {
            if (chosen.Count >= minGenres)
            {
                break;
            }

            if (!chosen.Contains(g))
            {
                chosen.Add(g);
            }
        }

        var p = probabilities.ToArray();
        return [.. chosen.OrderByDescending(g => p[g]).ThenBy(g => g)];
    }
}
