namespace PosterGenre.Inference;

public sealed record GenreScore(string Genre, float Probability);
