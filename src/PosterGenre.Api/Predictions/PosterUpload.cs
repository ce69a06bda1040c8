namespace PosterGenre.Api.Predictions;

/// <summary>One file part as received: its bytes, or the reason it was refused before decoding.</summary>
public sealed record PosterUpload(string FileName, byte[]? Content, PosterError? Error = null);
