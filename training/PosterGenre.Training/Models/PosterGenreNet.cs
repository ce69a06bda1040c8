using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// The default model: a VGG-style trunk for 2:3 posters with a style branch. Five blocks of
/// Conv3x3 -> BatchNorm -> ReLU -> MaxPool 2 (16-48-96-192-192 channels) keep full resolution in
/// the first layer, where colour and fine texture live; the last block is pooled globally by mean
/// and max. The style branch adds the channel-correlation (Gram) matrix of the third block's
/// features, the texture and colour statistics that set a horror poster apart from a comedy
/// whatever is drawn on it (<see cref="GramStyleBranch"/>). Both feed
/// one BatchNorm + dropout + linear head. Channel widths are set so that one poster costs under
/// half the seed CNN's multiply-accumulates.
/// </summary>
public sealed class PosterGenreNet : Module<Tensor, Tensor>, IGenreNet
{
    private const int StyleChannels = 32;
    private const int StyleBlock = 2;
    private static readonly long[] Channels = [16, 48, 96, 192, 192];

    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly GramStyleBranch style;
    private readonly BatchNorm1d headNorm;
    private readonly Linear head;
    private readonly int height;
    private readonly int width;
    private readonly double dropout;

    public PosterGenreNet(int genres, int height, int width, double dropout = 0.3) : base(nameof(PosterGenreNet))
    {
        this.height = height;
        this.width = width;
        this.dropout = dropout;
        long previous = 3;
        foreach (var c in Channels)
        {
            convs.Add(Conv2d(previous, c, 3, padding: 1, bias: false));
            norms.Add(BatchNorm2d(c));
            previous = c;
        }

        style = new GramStyleBranch(Channels[StyleBlock], StyleChannels, (height >> (StyleBlock + 1)) * (long)(width >> (StyleBlock + 1)));
        var features = (2 * Channels[^1]) + style.Features;
        headNorm = BatchNorm1d(features);
        head = Linear(features, genres);
        RegisterComponents();
    }

    public long Macs
    {
        get
        {
            long h = height, w = width, previous = 3, macs = 0;
            foreach (var c in Channels)
            {
                macs += h * w * previous * c * 9;
                h /= 2;
                w /= 2;
                previous = c;
            }

            return macs + style.Macs + (head.weight!.shape[0] * head.weight!.shape[1]);
        }
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        Tensor? styleFeatures = null;
        for (var i = 0; i < Channels.Length; i++)
        {
            x = functional.max_pool2d(functional.relu(norms[i].call(convs[i].call(x))), 2);
            if (i == StyleBlock)
            {
                styleFeatures = style.call(x);
            }
        }

        var pooled = cat([x.mean([2, 3]), x.amax([2, 3]), styleFeatures!], 1);
        return head.call(functional.dropout(headNorm.call(pooled), dropout, training));
    }

    public Tensor Logits(Tensor input) => forward(input);

    public string Export(OnnxGraph graph, string input)
    {
        var x = input;
        string? styleFeatures = null;
        for (var i = 0; i < Channels.Length; i++)
        {
            x = graph.MaxPool(graph.Relu(graph.Conv(x, convs[i], norms[i], 1, 1, 3)), 2, 2);
            if (i == StyleBlock)
            {
                styleFeatures = style.Export(graph, x);
            }
        }

        var pooled = graph.Concat(graph.Flatten(graph.GlobalAveragePool(x)), graph.Flatten(graph.GlobalMaxPool(x)), styleFeatures!);
        return graph.Gemm(pooled, head, headNorm);
    }
}
