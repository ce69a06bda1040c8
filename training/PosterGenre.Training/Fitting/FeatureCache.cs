using PosterGenre.Training.Models;
using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// A linear probe's inputs: the fixed trunk's features of each poster, computed once per run
/// (without augmentation: the trunk never changes, so every epoch would compute the same), so an
/// epoch trains only the head.
/// </summary>
public sealed class FeatureCache : IDisposable
{
    private readonly Tensor features;
    private readonly Dictionary<int, long> rows;

    private FeatureCache(Tensor features, Dictionary<int, long> rows)
    {
        this.features = features;
        this.rows = rows;
    }

    public static FeatureCache Compute(PretrainedResNet net, BatchMaker batches, IReadOnlyList<int> indices, int batchSize = 64)
    {
        net.eval();
        var chunks = new List<Tensor>();
        using (no_grad())
        {
            for (var start = 0; start < indices.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = indices.Skip(start).Take(batchSize).ToArray();
                chunks.Add(net.Features(batches.Images(chunk)).MoveToOuterDisposeScope());
            }
        }

        var all = cat(chunks, 0);
        chunks.ForEach(c => c.Dispose());
        return new FeatureCache(all, indices.Select((poster, row) => (poster, row)).ToDictionary(p => p.poster, p => (long)p.row));
    }

    /// <summary>[N, features] for cached posters, in the order given.</summary>
    public Tensor Rows(IReadOnlyList<int> indices) => features.index_select(0, tensor(indices.Select(i => rows[i]).ToArray()));

    public void Dispose() => features.Dispose();
}
