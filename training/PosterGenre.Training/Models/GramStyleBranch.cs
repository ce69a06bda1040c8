using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// Style features: a 1x1 projection (BatchNorm, ReLU) of a feature map to a few channels, then
/// their channel-correlation (Gram) matrix averaged over positions, flattened: the texture and
/// colour statistics of the image whatever it depicts (Gatys et al., "A Neural Algorithm of
/// Artistic Style", 2015).
/// </summary>
public sealed class GramStyleBranch : Module<Tensor, Tensor>
{
    private readonly Conv2d reduce;
    private readonly BatchNorm2d norm;
    private readonly long inChannels;
    private readonly long channels;
    private readonly long positions;

    /// <param name="positions">Positions (height x width) of the feature map the branch reads.</param>
    public GramStyleBranch(long inChannels, long channels, long positions) : base(nameof(GramStyleBranch))
    {
        this.inChannels = inChannels;
        this.channels = channels;
        this.positions = positions;
        reduce = Conv2d(inChannels, channels, 1, bias: false);
        norm = BatchNorm2d(channels);
        RegisterComponents();
    }

    public long Features => channels * channels;

    public long Macs => (positions * inChannels * channels) + (positions * channels * channels);

    public override Tensor forward(Tensor x)
    {
        var f = functional.relu(norm.call(reduce.call(x))).flatten(2);
        return f.matmul(f.transpose(1, 2)).div(positions).flatten(1);
    }

    public string Export(OnnxGraph graph, string x)
    {
        var f = graph.Reshape(graph.Relu(graph.Conv(x, reduce, norm, 1, 0, 1)), 0, channels, -1);
        var gram = graph.Scale(graph.MatMul(f, graph.Transpose(f, 0, 2, 1)), 1f / positions);
        return graph.Reshape(gram, 0, channels * channels);
    }
}
