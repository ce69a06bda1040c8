namespace PosterGenre.Api.Predictions;

/// <summary>Why a request as a whole is refused: the reason counted in the metrics, and the problem+json it is answered with.</summary>
public sealed record RequestProblem(string Reason, int Status, string Title, string Detail);
