namespace PosterGenre.Training.Data;

/// <summary>A dataset that cannot be used at all; the message says what to fix.</summary>
public sealed class DatasetException(string message) : Exception(message);
