using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// The first design of the default model, kept as arch "resnet-gram" so its figures can be
/// reproduced: a small residual CNN for 2:3 posters. A stride-2 stem and four stride-2 residual stages (32-48-96-192-256 channels) give shape features, pooled globally by mean and
/// max; a style branch adds the channel-correlation (Gram) matrix of mid-level features, the
/// texture and colour statistics that set a horror poster apart from a comedy one whatever is
/// drawn on it (Gatys et al., "A Neural Algorithm of Artistic Style", 2015). Both feed one
/// BatchNorm + dropout + linear head.
/// </summary>
public sealed class ResNetGramNet : Module<Tensor, Tensor>, IGenreNet
{
    private const int StyleChannels = 32;

    private readonly Conv2d stem;
    private readonly BatchNorm2d stemNorm;
    private readonly ModuleList<ResidualBlock> stages = new();
    private readonly GramStyleBranch style;
    private readonly BatchNorm1d headNorm;
    private readonly Linear head;
    private readonly int height;
    private readonly int width;
    private readonly double dropout;

    public ResNetGramNet(int genres, int height, int width, double dropout = 0.3) : base(nameof(ResNetGramNet))
    {
        this.height = height;
        this.width = width;
        this.dropout = dropout;
        long[] channels = [32, 48, 96, 192, 256];
        stem = Conv2d(3, channels[0], 3, stride: 2, padding: 1, bias: false);
        stemNorm = BatchNorm2d(channels[0]);
        for (var i = 1; i < channels.Length; i++)
        {
            stages.Add(new ResidualBlock(channels[i - 1], channels[i], 2));
        }

        style = new GramStyleBranch(channels[2], StyleChannels, (long)Math.Ceiling(height / 8.0) * (long)Math.Ceiling(width / 8.0));
        var features = (2 * channels[^1]) + style.Features;
        headNorm = BatchNorm1d(features);
        head = Linear(features, genres);
        RegisterComponents();
    }

    public long Macs
    {
        get
        {
            long h = (height + 1) / 2, w = (width + 1) / 2;
            var macs = h * w * 3 * 32 * 9;
            for (var i = 0; i < stages.Count; i++)
            {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                macs += stages[i].Macs(h * w);
            }

            return macs + style.Macs + (head.weight!.shape[0] * head.weight!.shape[1]);
        }
    }

    public override Tensor forward(Tensor input)
    {
        var x = functional.relu(stemNorm.call(stem.call(input)));
        Tensor? styleFeatures = null;
        for (var i = 0; i < stages.Count; i++)
        {
            x = stages[i].call(x);
            if (i == 1)
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
        var x = graph.Relu(graph.Conv(input, stem, stemNorm, 2, 1, 3));
        string? styleFeatures = null;
        for (var i = 0; i < stages.Count; i++)
        {
            x = stages[i].Export(graph, x);
            if (i == 1)
            {
                styleFeatures = style.Export(graph, x);
            }
        }

        var pooled = graph.Concat(graph.Flatten(graph.GlobalAveragePool(x)), graph.Flatten(graph.GlobalMaxPool(x)), styleFeatures!);
        return graph.Gemm(pooled, head, headNorm);
    }
}
