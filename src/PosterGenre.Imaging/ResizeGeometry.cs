namespace PosterGenre.Imaging;

/// <summary>Where the resize reads and writes for each <see cref="ResizeMode"/>, the same for every imaging library.</summary>
internal static class ResizeGeometry
{
    /// <summary>The part of a <paramref name="w"/> x <paramref name="h"/> upright image that is kept: all of it, or the centred crop with the target's aspect.</summary>
    public static (float X, float Y, float Width, float Height) Source(PreprocessingSpec spec, int w, int h)
    {
        if (spec.Resize != ResizeMode.CenterCrop)
        {
            return (0, 0, w, h);
        }

        var targetAspect = (float)spec.Width / spec.Height;
        if ((float)w / h > targetAspect)
        {
            var cropW = h * targetAspect;
            return ((w - cropW) / 2f, 0, cropW, h);
        }

        var cropH = w / targetAspect;
        return (0, (h - cropH) / 2f, w, cropH);
    }

    /// <summary>Where the kept part lands in the target: all of it, or (Pad) the centred fit, the rest black.</summary>
    public static (float X, float Y, float Width, float Height) Destination(PreprocessingSpec spec, int w, int h)
    {
        if (spec.Resize != ResizeMode.Pad)
        {
            return (0, 0, spec.Width, spec.Height);
        }

        var fit = Math.Min((float)spec.Width / w, (float)spec.Height / h);
        float dw = w * fit, dh = h * fit;
        return ((spec.Width - dw) / 2f, (spec.Height - dh) / 2f, dw, dh);
    }
}
