using Google.Protobuf;
using PosterGenre.Training.Export;
using PosterGenre.Training.Export.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PosterGenre.Training.Models;

/// <summary>
/// An ONNX image network rebuilt as a trainable TorchSharp module: every node of the graph becomes
/// one step, every Conv a <see cref="Conv2d"/> and every BatchNormalization a <see cref="BatchNorm2d"/>
/// loaded with the graph's initializers. Supported operators: Conv, BatchNormalization, Relu, Add,
/// MaxPool (with ceil_mode and dilations), AveragePool (no padding), GlobalAveragePool and Flatten
/// (any axis); asymmetric pads (which TorchSharp's symmetric <c>padding</c> cannot express) are
/// applied explicitly and written back by <see cref="Export"/>. <see cref="OnnxImportRules"/>
/// checks the whole graph first: anything else (an operator, an attribute or its value, an input,
/// a second output, an element type or rank) is refused with the operator and the node named.
/// Each parameterised step belongs to a stage, counted by its output stride: the stem (stride 2)
/// is stage 0, the layers at stride 4, 8, 16 and 32 are stages 1 to 4, as in a ResNet.
/// </summary>
public sealed class OnnxTrunk : Module<Tensor, Tensor>
{
    private readonly List<Step> steps;
    private readonly ModuleList<Conv2d> convs = new();
    private readonly ModuleList<BatchNorm2d> norms = new();
    private readonly string inputName;
    private readonly string outputName;

    private OnnxTrunk(GraphProto graph, bool globalFinalPool) : base(nameof(OnnxTrunk))
    {
        OnnxImportRules.Check(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        inputName = graph.Input.Select(i => i.Name).FirstOrDefault(n => !initializers.ContainsKey(n))
            ?? throw new InvalidDataException("The ONNX graph has no input that is not an initializer.");
        outputName = graph.Output.FirstOrDefault()?.Name ?? throw new InvalidDataException("The ONNX graph has no output.");
        var strides = new Dictionary<string, long> { [inputName] = 1 };
        var channels = new Dictionary<string, long> { [inputName] = 3 };
        steps = [];
        var lastPool = graph.Node.LastOrDefault(n => n.OpType == "AveragePool");
        foreach (var node in graph.Node)
        {
            var input = node.Input[0];
            var step = node.OpType switch
            {
                "Conv" => ConvStep(node, initializers),
                "BatchNormalization" => NormStep(node, initializers),
                "Flatten" => new Step("Flatten", [.. node.Input], node.Output[0], Axis: node.Ints("axis", [1])[0]),
                "MaxPool" => PoolStep(node),
                "AveragePool" => AveragePoolStep(node, globalFinalPool && node == lastPool),
                _ => new Step(node.OpType, [.. node.Input], node.Output[0]),
            };
            var stride = strides[input] * (step.Strides.Length > 0 ? step.Strides[0] : 1);
            strides[step.Output] = stride;
            channels[step.Output] = step.Op == "Conv" ? convs[step.Layer].weight!.shape[0] : channels[input];
            steps.Add(step with { Stage = Math.Max(0, (int)Math.Log2(stride) - 1) });
        }

        OutputChannels = channels[outputName];
        RegisterComponents();
    }

    /// <summary>Channels of the graph's output (512 for ResNet18's pooled features).</summary>
    public long OutputChannels { get; }

    /// <summary>Stages of the network (the largest stage number + 1).</summary>
    public int Stages => steps.Max(s => s.Stage) + 1;

    /// <summary>
    /// Reads <paramref name="path"/>. With <paramref name="globalFinalPool"/> the graph's last
    /// AveragePool averages the whole feature map whatever its size, so the network takes any input
    /// size (a CNTK ResNet pools with a fixed 7x7 window, the map of a 224x224 input).
    /// </summary>
    public static OnnxTrunk Load(string path, bool globalFinalPool = false)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The ONNX model to start from, '{path}', does not exist.", path);
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }

        return FromGraph(model.Graph ?? throw new InvalidDataException($"'{path}' holds no graph."), globalFinalPool);
    }

    internal static OnnxTrunk FromGraph(GraphProto graph, bool globalFinalPool = false) => new(graph, globalFinalPool);

    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor> { [inputName] = input };
        foreach (var step in steps)
        {
            var x = values[step.Inputs[0]];
            values[step.Output] = step.Op switch
            {
                "Conv" => convs[step.Layer].call(step.ExplicitPads ? Pad(x, step.Pads, 0) : x),
                "BatchNormalization" => norms[step.Layer].call(x),
                "Relu" => functional.relu(x),
                "Add" => x + values[step.Inputs[1]],
                "MaxPool" => MaxPool(x, step),
                "AveragePool" when step.Global => x.mean([2, 3], keepdim: true),
                "AveragePool" => functional.avg_pool2d(x, step.Kernel, step.Strides),
                "GlobalAveragePool" => x.mean([2, 3], keepdim: true),
                _ => Flatten(x, step.Axis),
            };
        }

        return values[outputName];
    }

    /// <summary>ONNX Flatten: dimensions before <paramref name="axis"/> (negative: from the end) into one, the rest into another.</summary>
    private static Tensor Flatten(Tensor x, long axis)
    {
        var split = axis < 0 ? axis + x.dim() : axis;
        var outer = x.shape.Take((int)split).Aggregate(1L, (a, b) => a * b);
        return x.reshape(outer, -1);
    }

    /// <summary>
    /// ONNX MaxPool: explicit pads of -inf, then the window (with dilations); with ceil_mode a
    /// last, partial window is taken where the input ends, as long as it starts inside the padded input.
    /// </summary>
    private static Tensor MaxPool(Tensor x, Step step) =>
        functional.max_pool2d(Pad(x, step.Pads, float.NegativeInfinity), step.Kernel, step.Strides, dilation: step.Dilations, ceil_mode: step.CeilMode);

    /// <summary>
    /// Reverses the input planes the first convolution reads (B,G,R becomes R,G,B): exact, and it
    /// lets a network trained on B,G,R take the R,G,B the shared imaging library makes.
    /// </summary>
    public void ReverseInputChannels()
    {
        var first = steps.First(s => s.Inputs[0] == inputName);
        if (first.Op != "Conv")
        {
            throw new InvalidOperationException($"The graph's input goes to {first.Op}, not a convolution.");
        }

        using var noGrad = no_grad();
        var weight = convs[first.Layer].weight!;
        weight.copy_(weight.flip(1));
    }

    /// <summary>Parameters of the stages before <paramref name="stage"/> (0: none; <see cref="Stages"/>: all).</summary>
    public IEnumerable<Parameter> ParametersBefore(int stage) =>
        steps.Where(s => s.Stage < stage).SelectMany(s => s.Op switch
        {
            "Conv" => convs[s.Layer].parameters(),
            "BatchNormalization" => norms[s.Layer].parameters(),
            _ => [],
        });

    /// <summary>The BatchNorm layers, for keeping their ImageNet statistics (eval mode) while the rest trains.</summary>
    public IEnumerable<BatchNorm2d> Norms => norms;

    /// <summary>Multiply-accumulates of the convolutions for one input of this size.</summary>
    public long Macs(int height, int width)
    {
        var sizes = new Dictionary<string, (long H, long W)> { [inputName] = (height, width) };
        long macs = 0;
        foreach (var step in steps)
        {
            var (h, w) = sizes[step.Inputs[0]];
            if (step.Strides.Length > 0 && !step.Global)
            {
                h = ((h + step.Pads[0] + step.Pads[2] - step.Kernel[0]) / step.Strides[0]) + 1;
                w = ((w + step.Pads[1] + step.Pads[3] - step.Kernel[1]) / step.Strides[1]) + 1;
            }
            else if (step.Global || step.Op == "GlobalAveragePool")
            {
                (h, w) = (1, 1);
            }

            if (step.Op == "Conv")
            {
                var shape = convs[step.Layer].weight!.shape;
                macs += h * w * shape[0] * shape[1] * shape[2] * shape[3];
            }

            sizes[step.Output] = (h, w);
        }

        return macs;
    }

    /// <summary>
    /// Adds the eval-mode network to <paramref name="graph"/> and returns the name of its output:
    /// a BatchNorm whose input is a convolution read by nothing else is folded into it.
    /// </summary>
    public string Export(OnnxGraph graph, string input)
    {
        var names = new Dictionary<string, string> { [inputName] = input };
        var readers = steps.SelectMany(s => s.Inputs).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var x = names[step.Inputs[0]];
            if (step.Op == "Conv")
            {
                var next = i + 1 < steps.Count ? steps[i + 1] : null;
                var folded = next is { Op: "BatchNormalization" } && next.Inputs[0] == step.Output && readers[step.Output] == 1 && step.Output != outputName;
                var y = graph.Conv(x, convs[step.Layer], folded ? norms[next!.Layer] : null, step.Strides, step.Pads, step.Kernel);
                names[folded ? next!.Output : step.Output] = y;
                i += folded ? 1 : 0;
                continue;
            }

            names[step.Output] = step.Op switch
            {
                "BatchNormalization" => graph.BatchNorm(x, norms[step.Layer]),
                "Relu" => graph.Relu(x),
                "Add" => graph.Sum(x, names[step.Inputs[1]]),
                "MaxPool" => graph.MaxPool(x, step.Kernel, step.Strides, step.Pads, step.Dilations, step.CeilMode),
                "AveragePool" when step.Global => graph.GlobalAveragePool(x),
                "AveragePool" => graph.AveragePool(x, step.Kernel, step.Strides),
                "GlobalAveragePool" => graph.GlobalAveragePool(x),
                _ => graph.Flatten(x, step.Axis),
            };
        }

        return names[outputName];
    }

    private Step ConvStep(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        var weight = node.Initializer(1, initializers);
        var bias = node.Input.Count > 2 ? node.Initializer(2, initializers) : null;
        var kernel = weight.shape[2..];
        var strides = node.Ints("strides", [1, 1]);
        var pads = node.Pads();
        var symmetric = pads[0] == pads[2] && pads[1] == pads[3];
        var conv = Conv2d(weight.shape[1], weight.shape[0], (kernel[0], kernel[1]), (strides[0], strides[1]), symmetric ? (pads[0], pads[1]) : (0, 0), bias: bias is not null);
        using (no_grad())
        {
            conv.weight!.copy_(weight);
            conv.bias?.copy_(bias!);
        }

        convs.Add(conv);
        return new Step("Conv", [node.Input[0]], node.Output[0], convs.Count - 1, kernel, strides, pads, ExplicitPads: !symmetric);
    }

    private Step NormStep(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        var scale = node.Initializer(1, initializers);
        var epsilon = node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
        var norm = BatchNorm2d(scale.shape[0], eps: epsilon);
        using (no_grad())
        {
            norm.weight!.copy_(scale);
            norm.bias!.copy_(node.Initializer(2, initializers));
            norm.running_mean!.copy_(node.Initializer(3, initializers));
            norm.running_var!.copy_(node.Initializer(4, initializers));
        }

        norms.Add(norm);
        return new Step("BatchNormalization", [node.Input[0]], node.Output[0], norms.Count - 1);
    }

    private static Step PoolStep(NodeProto node) =>
        new("MaxPool", [node.Input[0]], node.Output[0], -1, node.Ints("kernel_shape", []), node.Ints("strides", [1, 1]), node.Pads(),
            DilationShape: node.Ints("dilations", [1, 1]), CeilMode: node.Ints("ceil_mode", [0])[0] == 1);

    private static Step AveragePoolStep(NodeProto node, bool global) => PoolStep(node) with { Op = "AveragePool", Global = global };

    private static Tensor Pad(Tensor x, long[] pads, double value) =>
        pads.All(p => p == 0) ? x : functional.pad(x, [pads[1], pads[3], pads[0], pads[2]], PaddingModes.Constant, value);

    private sealed record Step(string Op, string[] Inputs, string Output, int Layer = -1, long[]? KernelShape = null, long[]? StrideShape = null, long[]? PadShape = null, bool ExplicitPads = false, bool Global = false, int Stage = 0,
        long[]? DilationShape = null, bool CeilMode = false, long Axis = 1)
    {
        public long[] Dilations => DilationShape ?? [1, 1];

        public long[] Kernel => KernelShape ?? [];

        public long[] Strides => StrideShape ?? [];

        public long[] Pads => PadShape ?? [0, 0, 0, 0];
    }
}
