namespace PosterGenre.Inference;

/// <summary>Identifies the data a model was trained on without shipping it.</summary>
/// <param name="Sha256">SHA-256 of the CSV file the run read.</param>
/// <param name="Posters">Distinct posters kept after validation.</param>
public sealed record TrainingDataInfo(string Sha256, int Posters, int Train, int Validation, int Test, int SplitSeed);
