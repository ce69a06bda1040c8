namespace PosterGenre.Training.Evaluation;

/// <summary>Inference cost of one model: multiply-accumulates per forward pass, passes per poster (2 with flip TTA), measured latency.</summary>
public sealed record ModelCost(string Model, long Macs, int Passes, double MsBatch1, double MsBatch32);
