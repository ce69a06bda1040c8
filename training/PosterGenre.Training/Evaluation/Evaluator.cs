using PosterGenre.Inference;

namespace PosterGenre.Training.Evaluation;

/// <summary>Computes the report's metrics from probabilities, labels and per-genre thresholds.</summary>
public static class Evaluator
{
    /// <summary>Genres with fewer test positives than this have too noisy an AUC/AP for a macro average.</summary>
    public const int MinPositivesForMacro = 10;

    public static EvaluationResult Evaluate(
        string model, string[] genres, float[][] probabilities, bool[][] labels, float[] thresholds, int minGenres = 1, int maxGenres = 3, int minPositivesForMacro = MinPositivesForMacro)
    {
        var n = probabilities.Length;
        var perGenre = new GenreMetrics[genres.Length];
        var withRule = PredictedSets(probabilities, thresholds, minGenres, maxGenres);
        var withoutRule = PredictedSets(probabilities, thresholds, 0, genres.Length);

        for (var g = 0; g < genres.Length; g++)
        {
            var scores = probabilities.Select(p => p[g]).ToArray();
            var truth = labels.Select(l => l[g]).ToArray();
            var positives = truth.Count(t => t);
            perGenre[g] = new GenreMetrics(
                genres[g],
                positives,
                RankingMetrics.RocAuc(scores, truth),
                RankingMetrics.AveragePrecision(scores, truth),
                thresholds[g],
                F1(withRule.Select(m => m[g]).ToArray(), truth),
                positives >= minPositivesForMacro && positives < n,
                scores.Average(p => (double)p));
        }

        var macro = perGenre.Where(m => m.InMacro).ToArray();
        var summary = new Dictionary<string, double>
        {
            ["macroRocAuc"] = MeanOrNaN(macro.Select(m => m.RocAuc)),
            ["macroAp"] = MeanOrNaN(macro.Select(m => m.AveragePrecision)),
            ["microF1"] = MicroF1(withRule, labels),
            ["macroF1"] = MeanOrNaN(macro.Select(m => m.F1)),
            ["exactMatch"] = ExactMatch(withRule, labels),
            ["meanPredicted"] = withRule.Average(m => m.Count(x => x)),
            ["microF1NoRule"] = MicroF1(withoutRule, labels),
            ["exactMatchNoRule"] = ExactMatch(withoutRule, labels),
            ["meanPredictedNoRule"] = withoutRule.Average(m => m.Count(x => x)),
            ["emptyPredictionsNoRule"] = withoutRule.Count(m => !m.Contains(true)) / (double)n,
        };

        var calibration = Calibration.Bins(probabilities, labels);
        summary["ece"] = Calibration.ExpectedError(calibration);
        var (p3, r3, hit3) = TopK(probabilities, labels, 3);
        summary["precisionAt3"] = p3;
        summary["recallAt3"] = r3;
        summary["top3HitRate"] = hit3;

        return new EvaluationResult
        {
            Model = model,
            Posters = n,
            ExcludedFromMacro = [.. perGenre.Where(m => !m.InMacro).Select(m => m.Genre)],
            Summary = summary,
            Genres = perGenre,
            Calibration = calibration,
        };
    }

    public static double F1(bool[] predicted, bool[] truth)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            tp += predicted[i] && truth[i] ? 1 : 0;
            fp += predicted[i] && !truth[i] ? 1 : 0;
            fn += !predicted[i] && truth[i] ? 1 : 0;
        }

        return tp == 0 ? 0 : 2.0 * tp / ((2 * tp) + fp + fn);
    }

    /// <summary>Each poster's predicted set as a mask over the genres: over its threshold, then min-max genres.</summary>
    public static bool[][] PredictedSets(float[][] probabilities, float[] thresholds, int minGenres, int maxGenres) =>
        [.. probabilities.Select(p => ToMask(GenreDecision.Predict(p, thresholds, minGenres, maxGenres), thresholds.Length))];

    public static double MicroF1(bool[][] predicted, bool[][] truth) =>
        F1([.. predicted.SelectMany(x => x)], [.. truth.SelectMany(x => x)]);

    public static double ExactMatch(bool[][] predicted, bool[][] truth) =>
        predicted.Zip(truth, (p, t) => p.SequenceEqual(t) ? 1.0 : 0.0).Average();

    /// <summary>Mean precision@k, mean recall@k and the share of posters with at least one hit in the top k.</summary>
    public static (double Precision, double Recall, double HitRate) TopK(float[][] probabilities, bool[][] labels, int k)
    {
        double precision = 0, recall = 0, hits = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var top = GenreDecision.TopK(probabilities[i], k);
            var correct = top.Count(g => labels[i][g]);
            var relevant = labels[i].Count(x => x);
            precision += correct / (double)k;
            recall += relevant == 0 ? 0 : correct / (double)relevant;
            hits += correct > 0 ? 1 : 0;
        }

        return (precision / probabilities.Length, recall / probabilities.Length, hits / probabilities.Length);
    }

    private static double MeanOrNaN(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    private static bool[] ToMask(int[] chosen, int genres)
    {
        var mask = new bool[genres];
        foreach (var g in chosen)
        {
            mask[g] = true;
        }

        return mask;
    }
}
