using System.Diagnostics;
using PosterGenre.Imaging;

namespace PosterGenre.Inference;

/// <summary>
/// The one inference path: posters in, one outcome per poster out, in the same order. Each poster
/// is made into the model's input on its own, so an image that cannot be read fails alone; the
/// usable ones run through the model in batches. The API, <c>predict</c>, <c>evaluate</c>,
/// <c>tune</c>, <c>calibrate</c> and the export checks of <c>train</c> all score through it.
/// </summary>
public static class PosterScorer
{
    /// <param name="model">The model whose preprocessing <paramref name="toInput"/> applies.</param>
    /// <param name="posters">The posters, in the order the outcomes come back.</param>
    /// <param name="toInput">One poster to the model's input tensor; throws <see cref="PosterImageException"/> for an image it cannot use.</param>
    /// <param name="batchSize">At most this many posters per ONNX Runtime run.</param>
    /// <param name="embed">Whether each poster's embedding comes back too (<see cref="GenreModel.PredictAndEmbed"/>).</param>
    public static ScoredPosters Score<T>(GenreModel model, IReadOnlyList<T> posters, Func<T, float[]> toInput, int batchSize = int.MaxValue, bool embed = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var outcomes = new PosterScore[posters.Count];
        var inference = TimeSpan.Zero;
        var inputs = new List<float[]>();
        var positions = new List<int>();
        for (var i = 0; i < posters.Count; i++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                inputs.Add(toInput(posters[i]));
                positions.Add(i);
                outcomes[i] = new PosterScore { Preprocessing = clock.Elapsed };
            }
            catch (PosterImageException e)
            {
                outcomes[i] = new PosterScore { Error = e, Preprocessing = clock.Elapsed };
            }

            if (inputs.Count == batchSize || (i == posters.Count - 1 && inputs.Count > 0))
            {
                inference += Run(model, inputs, positions, outcomes, embed);
                inputs.Clear();
                positions.Clear();
            }
        }

        return new ScoredPosters(outcomes, inference);
    }

    /// <summary>
    /// Probabilities for every poster, in batches of <paramref name="batchSize"/>; for posters already
    /// decoded, which cannot fail. Each batch is scored on its own, so only one batch's inputs are
    /// alive at a time (a teacher scoring 6,000 posters kept 4 GB of them otherwise).
    /// </summary>
    /// <exception cref="PosterImageException">A poster could not be made into an input after all.</exception>
    public static float[][] Probabilities<T>(GenreModel model, IReadOnlyList<T> posters, Func<T, float[]> toInput, int batchSize = 32) =>
        [.. posters.Chunk(batchSize).SelectMany(batch => Score(model, batch, toInput).Posters.Select(p => p.Probabilities ?? throw p.Error!))];

    private static TimeSpan Run(GenreModel model, List<float[]> inputs, List<int> positions, PosterScore[] outcomes, bool embed)
    {
        var clock = Stopwatch.StartNew();
        var (probabilities, embeddings) = embed ? model.PredictAndEmbed(inputs) : (model.Predict(inputs), null);
        for (var k = 0; k < positions.Count; k++)
        {
            var i = positions[k];
            outcomes[i] = outcomes[i] with { Input = inputs[k], Probabilities = probabilities[k], Embedding = embeddings?[k] };
        }

        return clock.Elapsed;
    }
}

/// <summary>Each poster's outcome in input order, and the time spent in ONNX Runtime for all of them.</summary>
public sealed record ScoredPosters(PosterScore[] Posters, TimeSpan Inference);

/// <summary>One poster's probabilities (and the input they came from), or what is wrong with its image.</summary>
public sealed record PosterScore
{
    public float[]? Probabilities { get; init; }

    public float[]? Input { get; init; }

    /// <summary>The poster's embedding, when it was asked for.</summary>
    public float[]? Embedding { get; init; }

    public PosterImageException? Error { get; init; }

    public TimeSpan Preprocessing { get; init; }
}
