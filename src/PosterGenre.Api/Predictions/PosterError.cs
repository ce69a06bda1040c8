using System.Text.Json.Serialization;

namespace PosterGenre.Api.Predictions;

/// <summary>Why one file of a batch got no prediction.</summary>
/// <param name="Code">unsupported-format, undecodable-image, too-many-pixels, file-too-large, empty-file or decoder-busy (<see cref="UploadErrors"/>).</param>
public sealed record PosterError(string Code, string Detail)
{
    /// <summary>The HTTP status this error gets when it is the answer to the whole request.</summary>
    [JsonIgnore]
    public int Status => UploadErrors.StatusOf(Code);
}
