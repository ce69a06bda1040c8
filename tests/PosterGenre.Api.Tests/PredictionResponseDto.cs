namespace PosterGenre.Api.Tests;

// The JSON contract as a client sees it, kept apart from the service's own types on purpose.
public sealed record PredictionResponseDto(ModelRefDto Model, List<PosterResultDto> Results);

public sealed record ModelRefDto(string Name, string Version);

public sealed record PosterResultDto(
    string FileName,
    Dictionary<string, float>? Probabilities,
    List<GenreProbabilityDto>? Top3,
    List<string>? Predicted,
    double? ElapsedMs,
    ErrorDto? Error,
    ExplanationDto? Explanation = null);

public sealed record ExplanationDto(int Columns, int Rows, Dictionary<string, float[]> Genres);

public sealed record GenreProbabilityDto(string Genre, float Probability);

public sealed record ErrorDto(string Code, string Detail);

public sealed record ProblemDto(string? Type, string Title, int Status, string Detail, List<PosterResultDto>? Results);

public sealed record ModelSummaryDto(string Name, string Version, string Architecture, bool IsDefault, List<string> Genres, InputDto Input, bool Calibrated, string Weights, Dictionary<string, double>? TestMetrics);

public sealed record InputDto(int Width, int Height, string Resize);
