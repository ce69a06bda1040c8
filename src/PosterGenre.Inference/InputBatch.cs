using PosterGenre.Imaging;

namespace PosterGenre.Inference;

/// <summary>Preprocessed posters (CHW each) laid out as one NCHW batch for an ONNX Runtime run.</summary>
internal static class InputBatch
{
    /// <summary>The posters in order, followed by their mirror images when <paramref name="flip"/> (flip TTA).</summary>
    public static float[] Of(IReadOnlyList<float[]> posters, PreprocessingSpec spec, bool flip)
    {
        var length = spec.TensorLength;
        var n = posters.Count;
        var batch = new float[(flip ? 2 * n : n) * length];
        for (var i = 0; i < n; i++)
        {
            posters[i].CopyTo(batch.AsSpan(i * length, length));
            if (flip)
            {
                FlipHorizontal(posters[i], batch.AsSpan((n + i) * length, length), spec.Width);
            }
        }

        return batch;
    }

    /// <summary>Mirrors a CHW image left to right.</summary>
    private static void FlipHorizontal(ReadOnlySpan<float> chw, Span<float> flipped, int width)
    {
        for (var row = 0; row < chw.Length; row += width)
        {
            var src = chw.Slice(row, width);
            var dst = flipped.Slice(row, width);
            for (var x = 0; x < width; x++)
            {
                dst[x] = src[width - 1 - x];
            }
        }
    }
}
