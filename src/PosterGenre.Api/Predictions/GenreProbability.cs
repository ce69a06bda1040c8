namespace PosterGenre.Api.Predictions;

public sealed record GenreProbability(string Genre, float Probability);
