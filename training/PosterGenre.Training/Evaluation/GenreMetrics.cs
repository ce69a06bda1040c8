namespace PosterGenre.Training.Evaluation;

/// <summary>One genre's test figures.</summary>
public sealed record GenreMetrics(
    string Genre,
    int Positives,
    double RocAuc,
    double AveragePrecision,
    float Threshold,
    double F1,
    bool InMacro);
