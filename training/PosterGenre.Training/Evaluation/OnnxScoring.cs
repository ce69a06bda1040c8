using PosterGenre.Inference;
using PosterGenre.Training.Data;

namespace PosterGenre.Training.Evaluation;

/// <summary>Runs a shipped ONNX model over cached (already decoded) posters, through the service's inference path.</summary>
public static class OnnxScoring
{
    public static float[][] Predict(GenreModel model, PixelCache cache, IReadOnlyList<int> indices, int batchSize = 32) =>
        PosterScorer.Probabilities(model, indices, i => Input(model, cache, i), batchSize);

    /// <summary>The model's embedding of each poster (its embedding output, <see cref="GenreModel.PredictAndEmbed"/>).</summary>
    public static float[][] Embed(GenreModel model, PixelCache cache, IReadOnlyList<int> indices, int batchSize = 32) =>
        [.. indices.Chunk(batchSize).SelectMany(batch => PosterScorer.Score(model, batch, i => Input(model, cache, i), embed: true).Posters.Select(p => p.Embedding!))];

    private static float[] Input(GenreModel model, PixelCache cache, int i)
    {
        var chw = new float[model.Preprocessor.Spec.TensorLength];
        model.Preprocessor.Normalize(cache.Pixels[i], chw);
        return chw;
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
