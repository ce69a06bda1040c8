using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>One computation of the check: its name and its error relative to the largest float64 value.</summary>
public sealed record NumericsCase(string Name, double Error)
{
    public bool IsRight => Error <= ConvolutionCheck.Tolerance;
}

/// <summary>
/// Checks that LibTorch computes float32 convolutions (forward and both gradients) and the matrix
/// products of the networks' heads as float64 does, on small shapes that include the ones seen
/// wrong: on an AMD Zen 5 CPU, oneDNN's AVX-512 kernels get convolutions with 24 or 40 input
/// channels wrong (docs/reliability.md, "CPUs"). Right answers differ by about 1e-6 of the
/// output's scale, wrong ones by 0.1 and more (or are not finite). The check is in the NCHW
/// layout, the one training hands LibTorch (<see cref="BatchMaker"/>): oneDNN serves the
/// channels-last layout with other kernels, and on that CPU they are wrong under an AVX2 cap
/// (200 or 208 output channels at 9x6), so training never uses it.
/// </summary>
public static class ConvolutionCheck
{
    /// <summary>Largest error, relative to the largest float64 value, that counts as right.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The convolution shapes: (input channels, output channels, height, width), batch 2 (a batch of one takes other kernels), 3x3, padding 1.</summary>
    public static readonly (int In, int Out, int Height, int Width)[] Shapes =
    [
        (3, 32, 24, 16), (24, 16, 12, 12), (40, 48, 12, 8), (64, 64, 12, 8), (16, 200, 6, 6), (160, 208, 9, 6),
    ];

    /// <summary>Runs every case; <paramref name="convolution"/> (input, weight: output) replaces LibTorch's 3x3 convolution in tests.</summary>
    public static IReadOnlyList<NumericsCase> Run(Func<Tensor, Tensor, Tensor>? convolution = null)
    {
        convolution ??= (x, w) => nn.functional.conv2d(x, w, padding: [1, 1]);
        using var scope = NewDisposeScope();
        var generator = new Generator(20261206);
        var cases = new List<NumericsCase>();
        foreach (var (inChannels, outChannels, height, width) in Shapes)
        {
            var input = randn([2, inChannels, height, width], generator: generator);
            var weight = randn([outChannels, inChannels, 3, 3], generator: generator).mul(0.1);
            cases.AddRange(Convolution($"conv {inChannels}->{outChannels} at {height}x{width}", input, weight, convolution));
        }

        cases.Add(Products(generator));
        return cases;
    }

    /// <summary>One line: right or wrong, the worst case and its error, how many cases are wrong.</summary>
    public static string Describe(IReadOnlyList<NumericsCase> cases)
    {
        var worst = cases.MaxBy(c => c.Error)!;
        var wrong = cases.Count(c => !c.IsRight);
        return FormattableString.Invariant($"{(wrong == 0 ? "right" : "wrong")}: {wrong} of {cases.Count} cases over {Tolerance:E0}, worst {worst.Name} {worst.Error:E2}");
    }

    /// <summary>The forward pass and the gradients of input and weight for sum(y^2), each against float64.</summary>
    private static IEnumerable<NumericsCase> Convolution(string name, Tensor input, Tensor weight, Func<Tensor, Tensor, Tensor> convolution)
    {
        var x = input.detach().requires_grad_(true);
        var w = weight.detach().requires_grad_(true);
        var y = convolution(x, w);
        y.square().sum().backward();

        var x64 = input.to(ScalarType.Float64).detach().requires_grad_(true);
        var w64 = weight.to(ScalarType.Float64).detach().requires_grad_(true);
        var y64 = nn.functional.conv2d(x64, w64, padding: [1, 1]);
        y64.square().sum().backward();

        yield return new NumericsCase(name, RelativeError(y, y64));
        yield return new NumericsCase(name + " input gradient", RelativeError(x.grad!, x64.grad!));
        yield return new NumericsCase(name + " weight gradient", RelativeError(w.grad!, w64.grad!));
    }

    /// <summary>A linear head and a Gram matrix (the style branch's product), against float64.</summary>
    private static NumericsCase Products(Generator generator)
    {
        var features = randn([8, 208], generator: generator);
        var head = randn([25, 208], generator: generator).mul(0.1);
        var maps = randn([2, 32, 54], generator: generator);
        var linear = RelativeError(nn.functional.linear(features, head), nn.functional.linear(features.to(ScalarType.Float64), head.to(ScalarType.Float64)));
        var maps64 = maps.to(ScalarType.Float64);
        var gram = RelativeError(maps.matmul(maps.transpose(1, 2)), maps64.matmul(maps64.transpose(1, 2)));
        return new NumericsCase("linear 208->25 and Gram matrix 32x54", Math.Max(linear, gram));
    }

    private static double RelativeError(Tensor value, Tensor reference)
    {
        var error = value.detach().to(ScalarType.Float64).sub(reference.detach()).abs().max().item<double>();
        var scale = reference.detach().abs().max().item<double>();
        return double.IsFinite(error) ? error / Math.Max(scale, 1e-30) : double.PositiveInfinity;
    }
}
