namespace PosterGenre.Api.Predictions;

/// <summary>The answer to <c>POST /api/v1/predictions</c>: the model used and one result per uploaded file, in upload order.</summary>
public sealed record PredictionResponse(ModelReference Model, IReadOnlyList<PosterResult> Results);
