namespace PosterGenre.Training.Evaluation;

/// <summary>Per-genre decision thresholds chosen on validation predictions.</summary>
public static class Thresholds
{
    /// <summary>
    /// For each genre the threshold that maximises F1 on (<paramref name="scores"/>, <paramref name="labels"/>),
    /// placed halfway between the chosen score and the next lower one so that it generalises.
    /// A genre without positives gets 1.0: it is then predicted only by the "at least one genre" rule.
    /// </summary>
    public static float[] TuneForF1(float[][] scores, bool[][] labels, int genres)
    {
        var thresholds = new float[genres];
        for (var g = 0; g < genres; g++)
        {
            var s = scores.Select(r => r[g]).ToArray();
            var l = labels.Select(r => r[g]).ToArray();
            thresholds[g] = BestF1Threshold(s, l);
        }

        return thresholds;
    }

    public static float BestF1Threshold(float[] scores, bool[] labels)
    {
        var positives = labels.Count(x => x);
        if (positives == 0)
        {
            return 1f;
        }

        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        double bestF1 = -1;
        var best = 1f;
        var truePositives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]])
            {
                truePositives += labels[order[j]] ? 1 : 0;
                j++;
            }

            var f1 = 2.0 * truePositives / (j + positives);
            if (f1 > bestF1)
            {
                bestF1 = f1;
                var next = j < order.Length ? scores[order[j]] : 0f;
                best = (scores[order[i]] + next) / 2f;
            }

            i = j;
        }

        return best;
    }
}
