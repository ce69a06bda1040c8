namespace PosterGenre.Api.Predictions;

/// <summary>
/// Endpoint metadata: the endpoint reads posters from a multipart form itself (to answer every
/// malformed upload with its own problem details), so OpenAPI learns the body shape from this.
/// </summary>
public sealed record PosterUploadForm(string PartName = "posters");
