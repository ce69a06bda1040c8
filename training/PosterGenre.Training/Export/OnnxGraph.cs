using Google.Protobuf;
using PosterGenre.Training.Export.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PosterGenre.Training.Export;

/// <summary>
/// Builds an ONNX graph node by node from trained TorchSharp layers: each method adds the nodes
/// and float initializers for one layer and returns the name of its output. BatchNorm that
/// directly follows a convolution, or directly precedes a fully connected layer, is folded into
/// that layer's weights; any other BatchNorm becomes a BatchNormalization node.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>Opset 17 (ONNX 1.12): every operator used here has its current definition there.</summary>
    public const int Opset = 17;

    /// <summary>IR version 8, the one that goes with opset 17.</summary>
    public const int IrVersion = 8;

    private readonly GraphProto graph = new() { Name = "poster_genre" };
    private readonly bool halfWeights;
    private int counter;

    /// <param name="halfWeights">
    /// Store weights of <see cref="HalfWeightMinimum"/> values or more as float16, each cast back to
    /// float32 by a Cast node (folded by ONNX Runtime at load): half the file, float32 arithmetic.
    /// </param>
    public OnnxGraph(bool halfWeights = false) => this.halfWeights = halfWeights;

    /// <summary>Smaller initializers (biases, BatchNorm vectors) stay float32 with halfWeights.</summary>
    public const int HalfWeightMinimum = 4096;

    public string Input(string name, params object[] dims)
    {
        graph.Input.Add(ValueInfo(name, dims));
        return name;
    }

    public void Output(string value, string name, params object[] dims)
    {
        graph.Node.Add(Node("Identity", [value], name));
        graph.Output.Add(ValueInfo(name, dims));
    }

    public string Conv(string x, Conv2d conv, BatchNorm2d? bn, long stride, long padding, long kernel)
    {
        var (weight, bias) = FoldConv(conv, bn);
        return Add("Conv", [x, Initializer("conv_w", weight), Initializer("conv_b", bias)],
            Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", padding, padding, padding, padding));
    }

    /// <summary>A convolution with its own kernel, strides and ONNX pads [top, left, bottom, right].</summary>
    public string Conv(string x, Conv2d conv, BatchNorm2d? bn, long[] strides, long[] pads, long[] kernel)
    {
        var (weight, bias) = FoldConv(conv, bn);
        return Add("Conv", [x, Initializer("conv_w", weight), Initializer("conv_b", bias)],
            Ints("kernel_shape", kernel), Ints("strides", strides), Ints("pads", pads));
    }

    public string BatchNorm(string x, BatchNorm bn)
    {
        var (scale, shift) = BatchNormAffine(bn);
        var mean = zeros_like(scale);
        var variance = Plus(ones_like(scale), -1e-5);
        return Add("BatchNormalization",
            [x, Initializer("bn_scale", scale), Initializer("bn_bias", shift), Initializer("bn_mean", mean), Initializer("bn_var", variance)],
            Float("epsilon", 1e-5f));
    }

    /// <summary>A fully connected layer, optionally with a BatchNorm1d applied to its input folded in.</summary>
    public string Gemm(string x, Linear linear, BatchNorm1d? inputNorm = null)
    {
        using var scope = NewDisposeScope();
        var w = linear.weight!.detach();
        var b = linear.bias!.detach();
        if (inputNorm is not null)
        {
            var (scale, shift) = BatchNormAffine(inputNorm);
            b = Plus(b, w.matmul(shift));
            w = w * scale.unsqueeze(0);
        }

        return Add("Gemm", [x, Initializer("fc_w", w), Initializer("fc_b", b)], Int("transB", 1));
    }

    public string Relu(string x) => Add("Relu", [x]);

    public string Sigmoid(string x) => Add("Sigmoid", [x]);

    public string Sum(string a, string b) => Add("Add", [a, b]);

    public string MaxPool(string x, long kernel, long stride) =>
        Add("MaxPool", [x], Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride));

    public string MaxPool(string x, long[] kernel, long[] strides, long[] pads, long[]? dilations = null, bool ceilMode = false) =>
        Add("MaxPool", [x], [Ints("kernel_shape", kernel), Ints("strides", strides), Ints("pads", pads),
            .. dilations is null || dilations.All(d => d == 1) ? Array.Empty<AttributeProto>() : [Ints("dilations", dilations)],
            .. ceilMode ? [Int("ceil_mode", 1)] : Array.Empty<AttributeProto>()]);

    public string AveragePool(string x, long[] kernel, long[] strides) =>
        Add("AveragePool", [x], Ints("kernel_shape", kernel), Ints("strides", strides));

    public string GlobalAveragePool(string x) => Add("GlobalAveragePool", [x]);

    public string GlobalMaxPool(string x) => Add("GlobalMaxPool", [x]);

    public string Flatten(string x, long axis = 1) => Add("Flatten", [x], Int("axis", axis));

    public string Concat(params string[] xs) => Add("Concat", xs, Int("axis", 1));

    public string Reshape(string x, params long[] shape) => Add("Reshape", [x, Int64Initializer("shape", shape)]);

    public string Transpose(string x, params long[] perm) => Add("Transpose", [x], Ints("perm", perm));

    public string MatMul(string a, string b) => Add("MatMul", [a, b]);

    public string Scale(string x, float factor) => Add("Mul", [x, Initializer("factor", tensor(factor))]);

    internal ModelProto ToModel(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "PosterGenre.Training",
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "1.0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    public void Save(string path, IReadOnlyDictionary<string, string> metadata)
    {
        using var file = File.Create(path);
        ToModel(metadata).WriteTo(file);
    }

    /// <summary>Per-channel y = x * scale + shift equal to the layer's eval-mode BatchNorm.</summary>
    private static (Tensor Scale, Tensor Shift) BatchNormAffine(BatchNorm bn)
    {
        var scale = bn.weight!.detach() / Plus(bn.running_var!.detach(), bn.eps).sqrt();
        var shift = bn.bias!.detach() - bn.running_mean!.detach() * scale;
        return (scale, shift);
    }

    private static (Tensor Weight, Tensor Bias) FoldConv(Conv2d conv, BatchNorm2d? bn)
    {
        var w = conv.weight!.detach();
        var b = conv.bias?.detach() ?? zeros(w.shape[0]);
        if (bn is null)
        {
            return (w, b);
        }

        var (scale, shift) = BatchNormAffine(bn);
        return (w * scale.view(-1, 1, 1, 1), Plus(b * scale, shift));
    }

    // TorchSharp's + passes libtorch temporary Scalars (a constant, and add's alpha of 1)
    // that a collection started by another thread can free mid-call (DEVELOPERS.md, "TorchSharp's
    // implicit Scalars"; the training tests once failed here so). These hold theirs until the call returns.
    private static Tensor Plus(Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add(b, one);
    }

    private static Tensor Plus(Tensor a, double value)
    {
        using var constant = value.ToScalar();
        using var one = 1.ToScalar();
        return a.add(constant, one);
    }

    private string Add(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var output = $"{op.ToLowerInvariant()}_{counter++}";
        graph.Node.Add(Node(op, inputs, output, attributes));
        return output;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private string Initializer(string prefix, Tensor value)
    {
        var name = $"{prefix}_{counter++}";
        var t = value.detach().cpu().to(ScalarType.Float32).contiguous();
        var data = t.data<float>().ToArray();
        var half = halfWeights && data.Length >= HalfWeightMinimum;
        var proto = new TensorProto { Name = half ? name + "_fp16" : name, DataType = (int)(half ? TensorProto.Types.DataType.Float16 : TensorProto.Types.DataType.Float) };
        proto.Dims.AddRange(t.shape);
        proto.RawData = ByteString.CopyFrom(half ? HalfBytes(data) : OnnxTensors.RawBytes(data));
        graph.Initializer.Add(proto);
        if (half)
        {
            graph.Node.Add(Node("Cast", [proto.Name], name, Int("to", (int)TensorProto.Types.DataType.Float)));
        }

        return name;
    }

    private static byte[] HalfBytes(float[] data)
    {
        var bytes = new byte[data.Length * 2];
        for (var i = 0; i < data.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (Half)data[i]);
        }

        return bytes;
    }

    private string Int64Initializer(string prefix, long[] values)
    {
        var name = $"{prefix}_{counter++}";
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string param
                ? new TensorShapeProto.Types.Dimension { DimParam = param }
                : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
