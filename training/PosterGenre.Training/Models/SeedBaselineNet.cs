using PosterGenre.Training.Export;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// The seed project's Keras CNN, layer for layer: four blocks of Conv3x3 ('valid' padding, as
/// Keras' default) -> ReLU -> BatchNorm -> MaxPool 2 -> Dropout, then Dense 128 -> ReLU -> BatchNorm
/// -> Dropout twice and Dense 25. The one fix: sigmoid per genre (the seed's softmax with a binary
/// loss cannot say that a poster has several genres).
/// </summary>
public sealed class SeedBaselineNet : Module<Tensor, Tensor>, IGenreNet
{
    private static readonly int[] Filters = [16, 32, 64, 128];
    private static readonly double[] Dropouts = [0.3, 0.3, 0.4, 0.5];

    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly Linear fc1;
    private readonly BatchNorm1d fcNorm1;
    private readonly Linear fc2;
    private readonly BatchNorm1d fcNorm2;
    private readonly Linear output;
    private readonly int inputSize;
    private readonly long finalSide;

    public SeedBaselineNet(int genres, int inputSize = 350) : base(nameof(SeedBaselineNet))
    {
        this.inputSize = inputSize;
        var channels = 3;
        long side = inputSize;
        foreach (var f in Filters)
        {
            convs.Add(Conv2d(channels, f, 3));
            norms.Add(BatchNorm2d(f));
            channels = f;
            side = (side - 2) / 2;
        }

        finalSide = side;
        fc1 = Linear(channels * side * side, 128);
        fcNorm1 = BatchNorm1d(128);
        fc2 = Linear(128, 128);
        fcNorm2 = BatchNorm1d(128);
        output = Linear(128, genres);
        RegisterComponents();
    }

    public long Macs
    {
        get
        {
            long macs = 0, side = inputSize, channels = 3;
            foreach (var f in Filters)
            {
                side -= 2;
                macs += channels * f * 9 * side * side;
                side /= 2;
                channels = f;
            }

            return macs + (channels * finalSide * finalSide * 128) + (128 * 128) + (128 * output.weight!.shape[0]);
        }
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (var i = 0; i < Filters.Length; i++)
        {
            x = functional.dropout(functional.max_pool2d(norms[i].call(functional.relu(convs[i].call(x))), 2), Dropouts[i], training);
        }

        x = x.flatten(1);
        x = functional.dropout(fcNorm1.call(functional.relu(fc1.call(x))), 0.5, training);
        x = functional.dropout(fcNorm2.call(functional.relu(fc2.call(x))), 0.5, training);
        return output.call(x);
    }

    public Tensor Logits(Tensor input) => forward(input);

    public string Export(OnnxGraph graph, string input)
    {
        var x = input;
        for (var i = 0; i < Filters.Length; i++)
        {
            x = graph.MaxPool(graph.BatchNorm(graph.Relu(graph.Conv(x, convs[i], null, 1, 0, 3)), norms[i]), 2, 2);
        }

        x = graph.Flatten(x);
        x = graph.Relu(graph.Gemm(x, fc1));
        x = graph.Relu(graph.Gemm(x, fc2, fcNorm1));
        return graph.Gemm(x, output, fcNorm2);
    }
}
