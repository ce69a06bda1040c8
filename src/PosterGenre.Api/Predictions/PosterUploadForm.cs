namespace PosterGenre.Api.Predictions;

/// <summary>
/// Endpoint metadata: the endpoint reads posters from a multipart form itself (to answer every
/// malformed upload with its own problem details), so OpenAPI learns the body shape from this:
/// the part's name, whether it takes several posters, and an example answer.
/// </summary>
public sealed record PosterUploadForm(string PartName = "posters", bool Several = true, string? Example = PosterUploadForm.PredictionsExample)
{
    /// <summary>An illustrative answer of POST /api/v1/predictions (values made up, probabilities shortened to four genres) showing the shape.</summary>
    public const string PredictionsExample = """
        {
          "model": { "name": "poster-genre", "version": "1.3.1" },
          "results": [
            {
              "fileName": "tt0086425.jpg",
              "probabilities": { "Action": 0.07, "Comedy": 0.61, "Drama": 0.58, "Romance": 0.22, "...": 0.0 },
              "top3": [
                { "genre": "Comedy", "probability": 0.61 },
                { "genre": "Drama", "probability": 0.58 },
                { "genre": "Romance", "probability": 0.22 }
              ],
              "predicted": [ "Comedy", "Drama" ],
              "elapsedMs": 11.4
            }
          ]
        }
        """;
}
