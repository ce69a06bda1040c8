namespace PosterGenre.Api.Predictions;

public sealed record InputDescription(int Width, int Height, string Resize);
