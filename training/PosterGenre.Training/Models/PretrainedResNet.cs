using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// The ImageNet-based default model: the ResNet18 trunk imported from ONNX (<see cref="OnnxTrunk"/>),
/// pooled globally so it takes posters of any size, then dropout and a new linear head to the
/// genres. The trunk was trained on B,G,R planes; its first convolution is reordered once so it
/// reads the R,G,B of the shared imaging library. Its BatchNorm layers keep their ImageNet
/// statistics (always in eval mode): batches of 32 on two cores are too small to re-estimate
/// them. <see cref="TrainableStages"/> and <see cref="FreezeTrunk"/> let a recipe train only the
/// head, the last stages, or everything.
/// </summary>
public sealed class PretrainedResNet : Module<Tensor, Tensor>, IGenreNet
{
    /// <summary>
    /// The trunk halves the input five times, and its stride-2 convolutions pad one side only (as
    /// the CNTK graph does), so each stage's size must stay even: width and height are multiples of this.
    /// </summary>
    public const int TotalStride = 32;

    private readonly OnnxTrunk trunk;
    private readonly Linear head;
    private readonly double dropout;
    private readonly int height;
    private readonly int width;

    public PretrainedResNet(string initFrom, int genres, int height, int width, double dropout) : base(nameof(PretrainedResNet))
    {
        trunk = OnnxTrunk.Load(initFrom, globalFinalPool: true);
        trunk.ReverseInputChannels();
        head = Linear(trunk.OutputChannels, genres);
        this.dropout = dropout;
        this.height = height;
        this.width = width;
        RegisterComponents();
    }

    public long Macs => trunk.Macs(height, width) + (head.weight!.shape[0] * head.weight!.shape[1]);

    /// <summary>The trunk's parameters (for their own learning rate).</summary>
    public IEnumerable<Parameter> TrunkParameters => trunk.parameters();

    /// <summary>The head's parameters.</summary>
    public IEnumerable<Parameter> HeadParameters => head.parameters();

    /// <summary>Stages of the trunk: stem = 0, then one per resolution.</summary>
    public int TrunkStages => trunk.Stages;

    /// <summary>
    /// Trains the trunk's stages from <paramref name="firstTrainable"/> on (0: all of it;
    /// <see cref="TrunkStages"/>: none, the head alone) and keeps the earlier ones fixed.
    /// </summary>
    public void TrainableStages(int firstTrainable)
    {
        foreach (var p in trunk.parameters())
        {
            p.requires_grad = true;
        }

        foreach (var p in trunk.ParametersBefore(firstTrainable))
        {
            p.requires_grad = false;
        }
    }

    /// <summary>Keeps the whole trunk fixed (the head's warm-up).</summary>
    public void FreezeTrunk() => TrainableStages(trunk.Stages);

    /// <summary>Starts the head at the log prior odds of each genre, so the first steps do not chase the base rates.</summary>
    public void InitHeadBias(IReadOnlyList<double> prior)
    {
        using var noGrad = no_grad();
        head.bias!.copy_(tensor(prior.Select(p => (float)Math.Log(Math.Clamp(p, 1e-4, 1 - 1e-4) / (1 - Math.Clamp(p, 1e-4, 1 - 1e-4)))).ToArray()));
    }

    public override void train(bool on = true)
    {
        base.train(on);
        foreach (var norm in trunk.Norms)
        {
            norm.eval();
        }
    }

    public override Tensor forward(Tensor input) => Head(Features(input));

    /// <summary>Length of <see cref="Features"/>: 512 for the ResNet18.</summary>
    public int FeatureLength => (int)trunk.OutputChannels;

    /// <summary>The trunk's pooled features [N, 512].</summary>
    public Tensor Features(Tensor input) => trunk.call(input).flatten(1);

    /// <summary>Logits from <see cref="Features"/>: dropout (in training) and the linear head.</summary>
    public Tensor Head(Tensor features) => head.call(functional.dropout(features, dropout, training));

    /// <summary>True when <paramref name="firstTrainableStage"/> leaves the whole trunk fixed: a linear probe.</summary>
    public bool IsProbe(int firstTrainableStage) => firstTrainableStage >= trunk.Stages;

    public Tensor Logits(Tensor input) => forward(input);

    public string Export(OnnxGraph graph, string input) => graph.Gemm(graph.Flatten(trunk.Export(graph, input)), head);
}
