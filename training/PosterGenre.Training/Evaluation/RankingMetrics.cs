namespace PosterGenre.Training.Evaluation;

/// <summary>Threshold-free metrics of one genre's scores against its 0/1 labels.</summary>
public static class RankingMetrics
{
    /// <summary>
    /// Area under the ROC curve as the Mann-Whitney U statistic: the chance that a random positive
    /// scores above a random negative, ties counting one half. NaN without both classes.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        var n = scores.Length;
        var order = SortedAscending(scores);
        var ranks = new double[n];
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var average = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = average;
            }

            i = j + 1;
        }

        double positives = 0, rankSum = 0;
        for (var i = 0; i < n; i++)
        {
            if (labels[i])
            {
                positives++;
                rankSum += ranks[i];
            }
        }

        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (rankSum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }

    /// <summary>
    /// Average precision as scikit-learn defines it: the sum over distinct score thresholds of
    /// (recall gained) x (precision at that threshold); tied scores enter together. NaN without positives.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        var n = scores.Length;
        var order = SortedAscending(scores);
        Array.Reverse(order);
        double positives = 0;
        foreach (var l in labels)
        {
            positives += l ? 1 : 0;
        }

        if (positives == 0)
        {
            return double.NaN;
        }

        double ap = 0, truePositives = 0, previousRecall = 0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j < n && scores[order[j]] == scores[order[i]])
            {
                truePositives += labels[order[j]] ? 1 : 0;
                j++;
            }

            var recall = truePositives / positives;
            var precision = truePositives / j;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            i = j;
        }

        return ap;
    }

    private static int[] SortedAscending(ReadOnlySpan<float> scores)
    {
        var keys = scores.ToArray();
        var order = Enumerable.Range(0, keys.Length).ToArray();
        Array.Sort(keys, order);
        return order;
    }

    /// <summary>Mean average precision over the genres with at least <paramref name="minPositives"/> positives (0 if none has).</summary>
    public static double MacroAp(float[][] probabilities, bool[][] labels, int minPositives)
    {
        var aps = new List<double>();
        for (var g = 0; g < labels[0].Length; g++)
        {
            var truth = labels.Select(l => l[g]).ToArray();
            if (truth.Count(t => t) >= minPositives)
            {
                aps.Add(AveragePrecision(probabilities.Select(r => r[g]).ToArray(), truth));
            }
        }

        return aps.Count == 0 ? 0 : aps.Average();
    }
}
