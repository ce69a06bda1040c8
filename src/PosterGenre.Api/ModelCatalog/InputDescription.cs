namespace PosterGenre.Api.ModelCatalog;

public sealed record InputDescription(int Width, int Height, string Resize);
