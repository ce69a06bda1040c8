namespace PosterGenre.Training.Reporting;

/// <summary>
/// One line of the training history. With a weight average, the validation figures are the
/// average's and <paramref name="RawValidationMap"/> is the trained weights' own. A refit has no
/// validation posters, so its validation figures are null.
/// </summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationMap, double LearningRate, double ImagesPerSecond, double Seconds, double? RawValidationMap = null);
