namespace PosterGenre.Imaging.Tests;

internal static class Fixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static byte[] Image(string name) => File.ReadAllBytes(Path.Combine(Dir, "images", name));

    public static byte[] Poster(string id) => File.ReadAllBytes(Path.Combine(Dir, "posters", id + ".jpg"));

    public static PreprocessingSpec Spec(int width, int height, ResizeMode resize = ResizeMode.Stretch, ImagingLibrary decoder = ImagingLibrary.SkiaSharp) =>
        new() { Width = width, Height = height, Resize = resize, Mean = [0, 0, 0], Std = [1, 1, 1], Decoder = decoder };

    /// <summary>RGB of the pixel at (x, y) of an HWC buffer.</summary>
    public static (int R, int G, int B) At(byte[] rgb, int width, int x, int y)
    {
        var i = 3 * ((y * width) + x);
        return (rgb[i], rgb[i + 1], rgb[i + 2]);
    }
}
