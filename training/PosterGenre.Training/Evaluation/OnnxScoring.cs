using PosterGenre.Inference;
using PosterGenre.Training.Data;

namespace PosterGenre.Training.Evaluation;

/// <summary>Runs a shipped ONNX model, through the service's own inference code, over cached posters.</summary>
public static class OnnxScoring
{
    public static float[][] Predict(GenreModel model, PixelCache cache, IReadOnlyList<int> indices, int batchSize = 32)
    {
        var preprocessor = model.Preprocessor;
        var result = new List<float[]>(indices.Count);
        for (var start = 0; start < indices.Count; start += batchSize)
        {
            var batch = indices.Skip(start).Take(batchSize).Select(i =>
            {
                var chw = new float[preprocessor.Spec.TensorLength];
                preprocessor.Normalize(cache.Pixels[i], chw);
                return chw;
            }).ToArray();
            result.AddRange(model.Predict(batch));
        }

        return [.. result];
    }

    /// <summary>The prior baseline: every poster gets the training split's genre frequencies.</summary>
    public static float[][] Prior(IReadOnlyList<PosterRecord> train, int genres, int posters)
    {
        var frequencies = new float[genres];
        for (var g = 0; g < genres; g++)
        {
            frequencies[g] = train.Count(p => p.Labels[g]) / (float)Math.Max(1, train.Count);
        }

        return [.. Enumerable.Range(0, posters).Select(_ => (float[])frequencies.Clone())];
    }
}
