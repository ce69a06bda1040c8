namespace PosterGenre.Training.Evaluation;

/// <summary>Everything <c>evaluate</c> reports for one model on one set of posters.</summary>
public sealed record EvaluationResult
{
    /// <summary>Max absolute difference between TorchSharp's and ONNX Runtime's probabilities, measured by <c>train</c>.</summary>
    public const string ParityKey = "onnxParityMaxAbsDiff";

    public required string Model { get; init; }

    public required int Posters { get; init; }

    /// <summary>Genres with fewer than <see cref="Evaluator.MinPositivesForMacro"/> positives, left out of the macro averages.</summary>
    public required string[] ExcludedFromMacro { get; init; }

    /// <summary>macroRocAuc, macroAp, microF1, exactMatch, ... (defined in the README, "Models and results").</summary>
    public required Dictionary<string, double> Summary { get; init; }

    public required GenreMetrics[] Genres { get; init; }

    /// <summary>Reliability of the probabilities: 10 bins over every (poster, genre) pair.</summary>
    public required CalibrationBin[] Calibration { get; init; }

    /// <summary>
    /// The summary as a manifest's test metrics, keeping from <paramref name="previous"/> what only
    /// training measures (the ONNX parity of the export), when a command re-evaluates a model.
    /// </summary>
    public Dictionary<string, double> AsTestMetrics(IReadOnlyDictionary<string, double>? previous)
    {
        var metrics = new Dictionary<string, double>(Summary);
        if (previous?.TryGetValue(ParityKey, out var parity) == true)
        {
            metrics[ParityKey] = parity;
        }

        return metrics;
    }
}
