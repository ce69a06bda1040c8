using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// The small CNN (`--arch poster-genre`, shipped as poster-genre-fast): a VGG-style trunk for 2:3 posters with a style branch. Blocks of
/// Conv3x3 -> BatchNorm -> ReLU -> MaxPool 2 (widths from the recipe) keep full resolution in the
/// first layer, where colour and fine texture live; the last block is pooled globally by mean and
/// max. The style branch adds the channel-correlation (Gram) matrix of the third block's features,
/// the texture and colour statistics that set a horror poster apart from a comedy whatever is
/// drawn on it (<see cref="GramStyleBranch"/>). Both feed one BatchNorm + dropout + linear head.
/// The recipes (<see cref="Fitting.Recipe"/>) set widths and input size so that the default
/// model costs under half the seed CNN's multiply-accumulates.
/// </summary>
public sealed class PosterGenreNet : Module<Tensor, Tensor>, IGenreNet
{
    private const int StyleChannels = 32;
    private const int StyleBlock = 2;

    /// <summary>The first design's widths: 214 M MACs at 192x128 (docs/training.md).</summary>
    public static readonly long[] NarrowChannels = [16, 48, 96, 192, 192];

    private readonly long[] blockChannels;
    private readonly int[] blockConvs;

    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly GramStyleBranch style;
    private readonly BatchNorm1d headNorm;
    private readonly Linear head;
    private readonly int height;
    private readonly int width;
    private readonly double dropout;

    /// <param name="convsPerBlock">
    /// Convolutions per block before its pooling, one count per width (default: one each). Only the
    /// first changes the width; the others keep it, like VGG's stages.
    /// </param>
    public PosterGenreNet(int genres, int height, int width, long[]? channels = null, double dropout = 0.3, int[]? convsPerBlock = null) : base(nameof(PosterGenreNet))
    {
        blockChannels = channels ?? NarrowChannels;
        if (blockChannels.Length <= StyleBlock)
        {
            throw new ArgumentException($"PosterGenreNet needs more than {StyleBlock} blocks.", nameof(channels));
        }

        blockConvs = convsPerBlock ?? [.. blockChannels.Select(_ => 1)];
        if (blockConvs.Length != blockChannels.Length || blockConvs.Any(n => n < 1))
        {
            throw new ArgumentException($"PosterGenreNet needs one convolution count of at least 1 per block ({blockChannels.Length} blocks).", nameof(convsPerBlock));
        }

        this.height = height;
        this.width = width;
        this.dropout = dropout;
        long previous = 3;
        foreach (var (c, n) in blockChannels.Zip(blockConvs))
        {
            for (var k = 0; k < n; k++)
            {
                convs.Add(Conv2d(previous, c, 3, padding: 1, bias: false));
                norms.Add(BatchNorm2d(c));
                previous = c;
            }
        }

        style = new GramStyleBranch(blockChannels[StyleBlock], StyleChannels, (height >> (StyleBlock + 1)) * (long)(width >> (StyleBlock + 1)));
        var features = (2 * blockChannels[^1]) + style.Features;
        headNorm = BatchNorm1d(features);
        head = Linear(features, genres);
        RegisterComponents();
    }

    public long Macs
    {
        get
        {
            long h = height, w = width, previous = 3, macs = 0;
            foreach (var (c, n) in blockChannels.Zip(blockConvs))
            {
                macs += h * w * ((previous * c) + ((n - 1) * c * c)) * 9;
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
        var pooled = new List<Tensor>();
        var layer = 0;
        for (var i = 0; i < blockChannels.Length; i++)
        {
            for (var k = 0; k < blockConvs[i]; k++, layer++)
            {
                x = functional.relu(norms[layer].call(convs[layer].call(x)));
            }

            x = functional.max_pool2d(x, 2);
            if (i == StyleBlock)
            {
                pooled.Add(style.call(x));
            }
        }

        pooled.InsertRange(0, [x.mean([2, 3]), x.amax([2, 3])]);
        return head.call(functional.dropout(headNorm.call(cat(pooled, 1)), dropout, training));
    }

    public Tensor Logits(Tensor input) => forward(input);

    public string Export(OnnxGraph graph, string input)
    {
        var x = input;
        var pooled = new List<string>();
        var layer = 0;
        for (var i = 0; i < blockChannels.Length; i++)
        {
            for (var k = 0; k < blockConvs[i]; k++, layer++)
            {
                x = graph.Relu(graph.Conv(x, convs[layer], norms[layer], 1, 1, 3));
            }

            x = graph.MaxPool(x, 2, 2);
            if (i == StyleBlock)
            {
                pooled.Add(style.Export(graph, x));
            }
        }

        pooled.InsertRange(0, [graph.Flatten(graph.GlobalAveragePool(x)), graph.Flatten(graph.GlobalMaxPool(x))]);
        return graph.Gemm(graph.Concat([.. pooled]), head, headNorm);
    }
}
