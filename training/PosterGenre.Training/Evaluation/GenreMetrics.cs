namespace PosterGenre.Training.Evaluation;

/// <summary>
/// One genre's test figures. <see cref="MeanProbability"/> against the share of posters with the
/// genre (<see cref="Positives"/> / posters) is the genre's own calibration in the large: equal
/// when its probabilities neither read high nor low on average.
/// </summary>
public sealed record GenreMetrics(
    string Genre,
    int Positives,
    double RocAuc,
    double AveragePrecision,
    float Threshold,
    double F1,
    bool InMacro,
    double MeanProbability);
