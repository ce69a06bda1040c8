namespace PosterGenre.Training.Evaluation;

/// <summary>The probabilities in [Low, High): how many, their mean, and the share whose genre was right.</summary>
public sealed record CalibrationBin(double Low, double High, int Count, double MeanProbability, double Observed);
