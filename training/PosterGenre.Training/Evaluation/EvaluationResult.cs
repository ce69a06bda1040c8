namespace PosterGenre.Training.Evaluation;

/// <summary>Everything <c>evaluate</c> reports for one model on one set of posters.</summary>
public sealed record EvaluationResult
{
    public required string Model { get; init; }

    public required int Posters { get; init; }

    /// <summary>Genres with fewer than <see cref="Evaluator.MinPositivesForMacro"/> positives, left out of the macro averages.</summary>
    public required string[] ExcludedFromMacro { get; init; }

    /// <summary>macroRocAuc, macroAp, microF1, exactMatch, ... (defined in the README, "Models and results").</summary>
    public required Dictionary<string, double> Summary { get; init; }

    public required GenreMetrics[] Genres { get; init; }

    /// <summary>Reliability of the probabilities: 10 bins over every (poster, genre) pair.</summary>
    public required CalibrationBin[] Calibration { get; init; }
}
