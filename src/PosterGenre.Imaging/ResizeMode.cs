namespace PosterGenre.Imaging;

/// <summary>How a poster of any shape is brought to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale each axis to the target; posters are close to 2:3 so the distortion is small.</summary>
    Stretch,

    /// <summary>Scale to cover the target, then cut the overflow evenly from both sides.</summary>
    CenterCrop,

    /// <summary>Scale to fit inside the target, then fill the rest with black.</summary>
    Pad,
}
