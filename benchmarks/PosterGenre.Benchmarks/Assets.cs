namespace PosterGenre.Benchmarks;

internal static class Assets
{
    public static string Model(string name) => Path.Combine(AppContext.BaseDirectory, "models", name, name + ".onnx");

    public static byte[][] Posters() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures"), "*.jpg").Order().Select(File.ReadAllBytes)];
}
