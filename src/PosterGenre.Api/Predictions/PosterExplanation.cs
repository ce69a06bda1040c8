namespace PosterGenre.Api.Predictions;

/// <summary>
/// Where the model found each of the top 3 genres (<c>?explain=true</c>): the model's input cut
/// into <see cref="Columns"/> x <see cref="Rows"/> cells; for each genre, one value per cell, row
/// by row from the top left: how much the genre's probability falls when that cell is painted over
/// with the poster's mean colour (negative: it rises).
/// </summary>
public sealed record PosterExplanation(int Columns, int Rows, IReadOnlyDictionary<string, float[]> Genres);
