namespace PosterGenre.Imaging;

/// <summary>The library that decodes and resizes posters for a model; its manifest names it, so training and serving use one.</summary>
public enum ImagingLibrary
{
    /// <summary>SkiaSharp: native, scaled decoding of large JPEG and WebP files (the default; docs/decisions.md).</summary>
    SkiaSharp,

    /// <summary>SixLabors.ImageSharp 2.1 (Apache-2.0): managed, decodes every image at full size.</summary>
    ImageSharp,
}
