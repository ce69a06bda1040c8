using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// He et al.'s basic residual block (Conv3x3-BN-ReLU-Conv3x3-BN, plus a 1x1 projection when the
/// shape changes), halving the resolution when <c>stride</c> is 2.
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d norm1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d norm2;
    private readonly Conv2d? projection;
    private readonly BatchNorm2d? projectionNorm;
    private readonly long stride;

    public ResidualBlock(long inChannels, long outChannels, long stride) : base(nameof(ResidualBlock))
    {
        this.stride = stride;
        InChannels = inChannels;
        OutChannels = outChannels;
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        norm1 = BatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        norm2 = BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            projection = Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
            projectionNorm = BatchNorm2d(outChannels);
        }

        RegisterComponents();
    }

    public long InChannels { get; }

    public long OutChannels { get; }

    public override Tensor forward(Tensor x)
    {
        var y = functional.relu(norm1.call(conv1.call(x)));
        y = norm2.call(conv2.call(y));
        var shortcut = projection is null ? x : projectionNorm!.call(projection.call(x));
        return functional.relu(y + shortcut);
    }

    /// <summary>MACs for an output of <paramref name="outPixels"/> positions.</summary>
    public long Macs(long outPixels) =>
        outPixels * ((InChannels * OutChannels * 9) + (OutChannels * OutChannels * 9) + (projection is null ? 0 : InChannels * OutChannels));

    public string Export(OnnxGraph graph, string x)
    {
        var y = graph.Relu(graph.Conv(x, conv1, norm1, stride, 1, 3));
        y = graph.Conv(y, conv2, norm2, 1, 1, 3);
        var shortcut = projection is null ? x : graph.Conv(x, projection, projectionNorm, stride, 0, 1);
        return graph.Relu(graph.Sum(y, shortcut));
    }
}
