namespace PosterGenre.Imaging;

/// <summary>How the resize to the model's input samples the decoded poster.</summary>
public enum ResizeSampling
{
    /// <summary>Bilinear between the two nearest mipmap levels: smoothest on large reductions, but each poster builds its mipmaps (about 4 ms for a 300x425 poster here; docs/performance.md).</summary>
    LinearMipmap,

    /// <summary>Bilinear on the decoded pixels: about 0.7 ms for the same poster. Large photos are first decoded at a reduced scale of at least twice the input size, so the reduction left is at most about 2x.</summary>
    Linear,
}
