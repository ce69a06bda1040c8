namespace PosterGenre.Api.Predictions;

public sealed record ModelReference(string Name, string Version);
