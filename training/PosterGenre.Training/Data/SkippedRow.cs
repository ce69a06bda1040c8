namespace PosterGenre.Training.Data;

/// <summary>A CSV row or image left out of the dataset, and why.</summary>
/// <param name="Line">1-based line in the CSV (0 when the reason is not tied to a line).</param>
public sealed record SkippedRow(int Line, string Id, string Reason);
