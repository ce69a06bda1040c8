namespace PosterGenre.Api.Predictions;

/// <summary>
/// One uploaded file: either its genres (<see cref="Probabilities"/>, <see cref="Top3"/>,
/// <see cref="Predicted"/>) or, when it is not a usable image, an <see cref="Error"/>.
/// </summary>
public sealed record PosterResult
{
    public required string FileName { get; init; }

    /// <summary>Probability of every genre, in the model's genre order.</summary>
    public IReadOnlyDictionary<string, float>? Probabilities { get; init; }

    /// <summary>The three most probable genres, most probable first.</summary>
    public IReadOnlyList<GenreProbability>? Top3 { get; init; }

    /// <summary>The genres the model commits to: per-genre thresholds, then 1 to 3 genres.</summary>
    public IReadOnlyList<string>? Predicted { get; init; }

    /// <summary>Milliseconds spent on this file: its decoding and preprocessing plus its share of the batch's inference (and its explanation, if asked).</summary>
    public double? ElapsedMs { get; init; }

    /// <summary>With <c>?explain=true</c>: where in the poster each of the top 3 genres was found.</summary>
    public PosterExplanation? Explanation { get; init; }

    public PosterError? Error { get; init; }
}
