namespace PosterGenre.Benchmarks;

internal static class Assets
{
    /// <summary>A shipped model file by its name without .onnx: "poster-genre" is models/poster-genre/poster-genre.onnx, "poster-genre.int8" its int8 copy beside it.</summary>
    public static string Model(string file) => Path.Combine(AppContext.BaseDirectory, "models", file.Split('.')[0], file + ".onnx");

    public static byte[][] Posters() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures"), "*.jpg").Order().Select(File.ReadAllBytes)];
}
