namespace PosterGenre.Training.Training;

/// <summary>One line of the training history.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationMap, double LearningRate, double ImagesPerSecond, double Seconds);
