namespace PosterGenre.Training.Evaluation;

/// <summary>A 95% bootstrap interval of one metric.</summary>
public sealed record Interval(double Low, double High);
