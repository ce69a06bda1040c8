using Google.Protobuf;
using PosterGenre.Training.Export.Onnx;
using DataType = PosterGenre.Training.Export.Onnx.TensorProto.Types.DataType;

namespace PosterGenre.Training.Export;

/// <summary>
/// Static int8 quantization of a float ONNX model in the QDQ format that ONNX Runtime fuses into
/// integer kernels (QLinearConv, QLinearAdd; on x86 with VNNI these use 8-bit dot products).
/// Convolution weights become 7-bit values in int8 (-63..63) with one symmetric scale per output
/// channel: without VNNI (AVX2 only) ONNX Runtime adds two uint8 x int8 products in 16 bits, which
/// saturates above 32,767 with full-range weights (255 x 127 x 2) and not with 7-bit ones
/// (255 x 63 x 2), so the file answers the same on both kinds of CPU. Their biases int32
/// at the input scale times the weight scale; every activation a Conv, a residual Add or a MaxPool
/// reads or writes is quantized to uint8 with a scale and zero point from its observed range
/// (<see cref="ObservedTensors"/>, measured on calibration posters). A Relu that directly follows a
/// Conv or an Add is quantized at its output (zero point 0), which lets ONNX Runtime drop it into
/// the integer kernel. Everything else (pooling to the head, the head, calibration, Sigmoid) stays
/// float, reading the dequantized values.
/// </summary>
public static class OnnxQuantization
{
    public const string MetadataKey = "quantization";

    public const string Scheme = "int8 static QDQ: Conv weights int8 per output channel (symmetric, 7-bit: -63..63), activations uint8 (min-max ranges)";

    /// <summary>The largest magnitude of a quantized weight: 7 bits, so no pair of products saturates 16 bits on a CPU without VNNI.</summary>
    internal const int WeightLimit = 63;

    /// <summary>The activations that get a scale: each one's name, in graph order.</summary>
    internal static IReadOnlyList<string> ObservedTensors(ModelProto model)
    {
        var graph = new GraphIndex(model.Graph);
        var tensors = new List<string>();
        foreach (var node in model.Graph.Node)
        {
            if (IsQuantizable(node, graph))
            {
                tensors.AddRange(node.Input.Take(node.OpType == "Conv" ? 1 : node.Input.Count));
                tensors.Add(graph.QuantizedOutput(node));
            }
        }

        return [.. tensors.Distinct()];
    }

    /// <summary>A copy of the model that also outputs every observed tensor, for measuring their ranges.</summary>
    internal static ModelProto WithObservedOutputs(ModelProto model)
    {
        var copy = model.Clone();
        foreach (var name in ObservedTensors(model).Where(n => copy.Graph.Output.All(o => o.Name != n)))
        {
            copy.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } },
            });
        }

        return copy;
    }

    /// <summary>Rewrites the model in place with the observed ranges (min, max) of every <see cref="ObservedTensors"/> entry.</summary>
    internal static void Quantize(ModelProto model, IReadOnlyDictionary<string, (float Min, float Max)> ranges, string calibratedOn)
    {
        if (model.MetadataProps.Any(p => p.Key == MetadataKey))
        {
            throw new InvalidDataException("The model is quantized already; quantize the float model it was made from.");
        }

        var graph = model.Graph;
        var index = new GraphIndex(graph);
        var observed = ObservedTensors(model);
        var missing = observed.FirstOrDefault(n => !ranges.ContainsKey(n));
        if (missing is not null)
        {
            throw new ArgumentException($"No observed range for activation '{missing}'.", nameof(ranges));
        }

        var activations = new Dictionary<string, Activation>();
        foreach (var name in observed)
        {
            var producer = index.Producer(name);
            // A max pool keeps its input's values, so its output keeps its input's scale (and ONNX
            // Runtime then runs it on the uint8 values directly).
            activations[name] = producer is { OpType: "MaxPool" } && activations.TryGetValue(producer.Input[0], out var input)
                ? input
                : Activation.From(ranges[name]);
        }

        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv" && IsQuantizable(n, index)).ToList())
        {
            QuantizeWeights(graph, index, conv, activations[conv.Input[0]]);
        }

        foreach (var (name, activation) in activations)
        {
            InsertQuantizePair(graph, index, name, activation);
        }

        RemoveUnused(graph);
        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = $"{Scheme}; calibrated on {calibratedOn}" });
    }

    private static bool IsQuantizable(NodeProto node, GraphIndex graph) => node.OpType switch
    {
        "Conv" => graph.IsWeight(node.Input[1]) && (node.Input.Count < 3 || graph.IsWeight(node.Input[2])),
        "Add" => node.Input.All(i => !graph.IsWeight(i)),
        "MaxPool" => graph.Producer(node.Input[0]) is { } p && IsQuantizable(p, graph) || graph.IsReluOfQuantizable(node.Input[0]),
        _ => false,
    };

    private static void QuantizeWeights(GraphProto graph, GraphIndex index, NodeProto conv, Activation input)
    {
        var shape = index.Shape(conv.Input[1]);
        var weights = index.Floats(conv.Input[1]);
        var channels = (int)shape[0];
        var perChannel = weights.Length / channels;
        var bias = conv.Input.Count > 2 ? index.Floats(conv.Input[2]) : new float[channels];
        var weightScales = new float[channels];
        var quantized = new byte[weights.Length];
        var biasValues = new int[channels];
        for (var c = 0; c < channels; c++)
        {
            var span = weights.AsSpan(c * perChannel, perChannel);
            var largest = 0f;
            foreach (var w in span)
            {
                largest = Math.Max(largest, Math.Abs(w));
            }

            weightScales[c] = largest > 0 ? largest / WeightLimit : 1f;
            for (var i = 0; i < perChannel; i++)
            {
                quantized[c * perChannel + i] = (byte)(sbyte)Math.Clamp(MathF.Round(span[i] / weightScales[c]), -WeightLimit, WeightLimit);
            }

            biasValues[c] = (int)Math.Clamp(Math.Round(bias[c] / ((double)input.Scale * weightScales[c])), int.MinValue, int.MaxValue);
        }

        var name = conv.Output[0];
        var weight = AddTensor(graph, $"{name}_w_int8", DataType.Int8, shape, quantized);
        var weightScale = AddTensor(graph, $"{name}_w_scale", DataType.Float, [channels], OnnxTensors.RawBytes(weightScales));
        var weightZero = AddTensor(graph, $"{name}_w_zero", DataType.Int8, [channels], new byte[channels]);
        var biasScale = AddTensor(graph, $"{name}_b_scale", DataType.Float, [channels], OnnxTensors.RawBytes([.. weightScales.Select(s => s * input.Scale)]));
        var biasTensor = AddTensor(graph, $"{name}_b_int32", DataType.Int32, [channels], OnnxTensors.RawBytes(biasValues));
        var biasZero = AddTensor(graph, $"{name}_b_zero", DataType.Int32, [channels], new byte[channels * sizeof(int)]);
        var at = graph.Node.IndexOf(conv);
        graph.Node.Insert(at, Dequantize($"{name}_w", weight, weightScale, weightZero, axis: 0));
        graph.Node.Insert(at, Dequantize($"{name}_b", biasTensor, biasScale, biasZero, axis: 0));
        conv.Input[1] = $"{name}_w";
        if (conv.Input.Count > 2)
        {
            conv.Input[2] = $"{name}_b";
        }
        else
        {
            conv.Input.Add($"{name}_b");
        }
    }

    /// <summary>value -> QuantizeLinear -> DequantizeLinear -> every node that read value.</summary>
    private static void InsertQuantizePair(GraphProto graph, GraphIndex index, string value, Activation activation)
    {
        var scale = AddTensor(graph, $"{value}_scale", DataType.Float, [], OnnxTensors.RawBytes([activation.Scale]));
        var zero = AddTensor(graph, $"{value}_zero", DataType.Uint8, [], [activation.ZeroPoint]);
        var quantized = new NodeProto { OpType = "QuantizeLinear", Name = $"{value}_q", Input = { value, scale, zero }, Output = { $"{value}_q" } };
        var dequantized = Dequantize($"{value}_dq", $"{value}_q", scale, zero, axis: null);
        foreach (var consumer in graph.Node)
        {
            for (var i = 0; i < consumer.Input.Count; i++)
            {
                if (consumer.Input[i] == value)
                {
                    consumer.Input[i] = dequantized.Output[0];
                }
            }
        }

        var producer = index.Producer(value);
        var at = producer is null ? 0 : graph.Node.IndexOf(producer) + 1;
        graph.Node.Insert(at, dequantized);
        graph.Node.Insert(at, quantized);
    }

    private static NodeProto Dequantize(string output, string input, string scale, string zero, int? axis)
    {
        var node = new NodeProto { OpType = "DequantizeLinear", Name = output, Input = { input, scale, zero }, Output = { output } };
        if (axis is { } a)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        }

        return node;
    }

    /// <summary>Drops the float weights (and the Cast nodes of float16 ones) that nothing reads any more.</summary>
    private static void RemoveUnused(GraphProto graph)
    {
        bool removed;
        do
        {
            var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet();
            var deadNodes = graph.Node.Where(n => n.OpType == "Cast" && !n.Output.Any(read.Contains)).ToList();
            var deadInitializers = graph.Initializer.Where(t => !read.Contains(t.Name)).ToList();
            deadNodes.ForEach(n => graph.Node.Remove(n));
            deadInitializers.ForEach(t => graph.Initializer.Remove(t));
            removed = deadNodes.Count + deadInitializers.Count > 0;
        }
        while (removed);
    }

    private static string AddTensor(GraphProto graph, string name, DataType type, long[] dims, byte[] raw)
    {
        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        proto.Dims.AddRange(dims);
        graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>uint8 quantization of one activation: real = scale x (q - zeroPoint), the range widened to hold 0.</summary>
    private readonly record struct Activation(float Scale, byte ZeroPoint)
    {
        public static Activation From((float Min, float Max) range)
        {
            var min = Math.Min(range.Min, 0f);
            var max = Math.Max(range.Max, 0f);
            var scale = max > min ? (max - min) / 255f : 1f;
            return new Activation(scale, (byte)Math.Clamp(MathF.Round(-min / scale), 0, 255));
        }
    }

    /// <summary>Who produces each value, and the float weights behind initializers (float32, or float16 through a Cast).</summary>
    private sealed class GraphIndex(GraphProto graph)
    {
        private readonly Dictionary<string, NodeProto> producers = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        private readonly Dictionary<string, TensorProto> initializers = graph.Initializer.ToDictionary(t => t.Name);

        public NodeProto? Producer(string value) => producers.GetValueOrDefault(value);

        public bool IsWeight(string value) => initializers.ContainsKey(value) || Producer(value) is { OpType: "Cast" } cast && initializers.ContainsKey(cast.Input[0]);

        /// <summary>The output that gets the scale: the Relu's when a Relu is the node's only reader.</summary>
        public string QuantizedOutput(NodeProto node)
        {
            var readers = graph.Node.Where(n => n.Input.Contains(node.Output[0])).ToList();
            return readers is [{ OpType: "Relu" } relu] && graph.Output.All(o => o.Name != node.Output[0]) ? relu.Output[0] : node.Output[0];
        }

        public bool IsReluOfQuantizable(string value) =>
            Producer(value) is { OpType: "Relu" } relu && Producer(relu.Input[0]) is { OpType: "Conv" or "Add" } source && QuantizedOutput(source) == value;

        public long[] Shape(string weight) => [.. Tensor(weight).Dims];

        public float[] Floats(string weight)
        {
            using var values = OnnxTensors.ToTensor(Tensor(weight));
            return values.data<float>().ToArray();
        }

        private TensorProto Tensor(string weight) =>
            initializers.TryGetValue(weight, out var t) ? t : initializers[Producer(weight)!.Input[0]];
    }
}
