using PosterGenre.Training.Export.Onnx;
using PosterGenre.Training.Models;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

/// <summary>
/// The strict importer: what it implements is compared with a reference written here as a plain
/// loop over the ONNX specification's definition (not with the importer's own output, and not with
/// ONNX Runtime), and what it would compute differently is refused, naming the operator, the node
/// and what it refuses.
/// </summary>
public sealed class OnnxImportRulesTests
{
    [Fact]
    public void FlattenKeepsTheDimensionsBeforeItsAxisTogether()
    {
        var trunk = Import(Graph(Node("Flatten", "y", ["x"], Int("axis", 2))));
        var x = arange(2 * 3 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 3, 4, 5);

        var y = trunk.call(x);

        // [2, 3, 4, 5] with axis 2: 2 x 3 = 6 rows of 4 x 5 = 20, the values in their memory order.
        Assert.Equal([6L, 20], y.shape);
        Assert.Equal(Enumerable.Range(0, 120).Select(v => (float)v), y.data<float>().ToArray());
    }

    [Theory]
    [InlineData(3, 2, 1, 0)]   // ceil_mode: a last, partial window
    [InlineData(3, 2, 1, 1)]   // ceil_mode with a top/left pad
    [InlineData(2, 1, 2, 0)]   // dilations 2
    [InlineData(3, 3, 2, 1)]   // both, with a pad
    public void MaxPoolWithCeilModeAndDilationsMatchesThePlainDefinition(int kernel, int stride, int dilation, int pad)
    {
        var trunk = Import(Graph(Node("MaxPool", "y", ["x"], Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
            Ints("dilations", dilation, dilation), Ints("pads", pad, pad, 0, 0), Int("ceil_mode", 1))));
        random.manual_seed(11);
        var x = randn(1, 2, 9, 8);

        var y = trunk.call(x);

        var expected = MaxPoolReference(x.data<float>().ToArray(), 2, 9, 8, kernel, stride, dilation, pad, out var oh, out var ow);
        Assert.Equal([1L, 2, oh, ow], y.shape);
        Assert.Equal(expected, y.data<float>().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Fact]
    public void CeilModeDilationsAndFlattenAxisAreWrittenBackOnExport()
    {
        var trunk = Import(Graph(
            Node("MaxPool", "pool", ["x"], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("dilations", 2, 2), Ints("pads", 1, 1, 0, 0), Int("ceil_mode", 1)),
            Node("Flatten", "y", ["pool"], Int("axis", 1))));
        random.manual_seed(12);
        var x = randn(1, 2, 11, 9);
        var expected = trunk.call(x).data<float>().ToArray();
        var graph = new PosterGenre.Training.Export.OnnxGraph();
        graph.Output(trunk.Export(graph, graph.Input("x", 1, 2, 11, 9)), "y", 1, expected.Length);
        var path = Path.Combine(Directory.CreateTempSubdirectory("postergenre-rules-").FullName, "again.onnx");
        graph.Save(path, new Dictionary<string, string>());

        var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Single(n => n.OpType == "MaxPool");
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("x", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(x.data<float>().ToArray(), [1, 2, 11, 9]))]);

        Assert.Equal(1, written.Attribute.Single(a => a.Name == "ceil_mode").I);
        Assert.Equal([2L, 2], written.Attribute.Single(a => a.Name == "dilations").Ints);
        Assert.Equal(expected, results.First().AsEnumerable<float>().ToArray(), (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Theory]
    [InlineData("group", "Conv", "group 2")]
    [InlineData("conv-dilations", "Conv", "dilations [2, 2]")]
    [InlineData("average-ceil", "AveragePool", "ceil_mode 1")]
    [InlineData("average-pads", "AveragePool", "pads [1, 1, 1, 1]")]
    [InlineData("training-norm", "BatchNormalization", "training_mode 1")]
    [InlineData("relu-alpha", "Relu", "attribute 'alpha'")]
    [InlineData("same-upper", "MaxPool", "auto_pad SAME_UPPER")]
    [InlineData("storage-order", "MaxPool", "storage_order 1")]
    [InlineData("ceil-end-pads", "MaxPool", "ceil_mode 1 with bottom/right pads")]
    public void AnAttributeItDoesNotImplementIsRefusedByNameWithItsValue(string graphName, string op, string named)
    {
        var graph = RefusedGraphs[graphName]();

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(graph));

        Assert.Contains($"{op} node 'bad'", e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void OneDimensionalAndThreeDimensionalPoolingAreRefused()
    {
        var oneD = Graph(Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 3)));
        var threeD = Graph(Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 2, 2, 2)));

        Assert.Contains("2-D", Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(oneD)).Message);
        Assert.Contains("kernel_shape [2, 2, 2]", Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(threeD)).Message);
    }

    [Fact]
    public void ASecondOutputIsRefusedNotDropped()
    {
        var node = Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 2, 2));
        node.Output.Add("indices");

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(Graph(node)));

        Assert.Contains("MaxPool node 'bad' has 2 outputs", e.Message);
    }

    [Fact]
    public void AnInputNoEarlierNodeMakesIsRefusedAtLoad()
    {
        var graph = Graph(Node("Relu", "r", ["x"]), Node("Add", "bad", ["r", "nowhere"]));

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(graph));

        Assert.Contains("Add node 'bad' reads 'nowhere', which is neither the graph's input, an initializer nor the output of an earlier node", e.Message);
    }

    [Fact]
    public void AConstantNodeIsRefusedAsAnOperatorNotAsAnOrderingError()
    {
        var constant = Node("Constant", "c", []);
        var graph = Graph(constant, Node("Add", "sum", ["x", "c"]));

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(graph));

        Assert.Contains("operator 'Constant' (node 'c')", e.Message);
        Assert.DoesNotContain("topological", e.Message);
    }

    [Fact]
    public void AnInputThatIsNotAFloatImageIsRefused()
    {
        var bytes = Graph(Node("MaxPool", "p", ["x"], Ints("kernel_shape", 2, 2)));
        bytes.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Uint8;
        var rank3 = Graph(Node("MaxPool", "p", ["x"], Ints("kernel_shape", 2, 2)));
        rank3.Input[0].Type.TensorType.Shape.Dim.RemoveAt(0);

        Assert.Contains("element type Uint8", Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(bytes)).Message);
        Assert.Contains("rank 3", Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(rank3)).Message);
    }

    [Fact]
    public void WeightsThatAreNotInTheFileAreRefused()
    {
        var graph = Graph(Node("Conv", "bad", ["x", "x"], Ints("kernel_shape", 3, 3)));

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.FromGraph(graph));

        Assert.Contains("Conv node 'bad' reads its weights from 'x', which is not an initializer", e.Message);
    }

    private static readonly Dictionary<string, Func<GraphProto>> RefusedGraphs = new()
    {
        ["group"] = () => Graph(Node("Conv", "bad", ["x", "w"], Ints("kernel_shape", 3, 3), Int("group", 2))).WithWeight("w", 4, 1, 3, 3),
        ["conv-dilations"] = () => Graph(Node("Conv", "bad", ["x", "w"], Ints("kernel_shape", 3, 3), Ints("dilations", 2, 2))).WithWeight("w", 4, 2, 3, 3),
        ["average-ceil"] = () => Graph(Node("AveragePool", "bad", ["x"], Ints("kernel_shape", 2, 2), Int("ceil_mode", 1))),
        ["average-pads"] = () => Graph(Node("AveragePool", "bad", ["x"], Ints("kernel_shape", 2, 2), Ints("pads", 1, 1, 1, 1))),
        ["training-norm"] = () => Graph(Node("BatchNormalization", "bad", ["x", "s", "b", "m", "v"], Int("training_mode", 1))).WithWeight("s", 2).WithWeight("b", 2).WithWeight("m", 2).WithWeight("v", 2),
        ["relu-alpha"] = () => Graph(Node("Relu", "bad", ["x"], new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 0.1f })),
        ["same-upper"] = () => Graph(Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 2, 2), new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("SAME_UPPER") })),
        ["ceil-end-pads"] = () => Graph(Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1))),
        ["storage-order"] = () => Graph(Node("MaxPool", "bad", ["x"], Ints("kernel_shape", 2, 2), Int("storage_order", 1))),
    };

    /// <summary>
    /// MaxPool as the ONNX specification defines it: output size floor or (ceil_mode) ceil of
    /// (H + pads - dilation x (kernel - 1) - 1) / stride + 1, a last window dropped if it would start
    /// in the bottom/right padding; each output the largest input under its dilated window.
    /// </summary>
    private static float[] MaxPoolReference(float[] x, int channels, int h, int w, int k, int s, int d, int pad, out long outH, out long outW)
    {
        static long Size(int n, int k, int s, int d, int padBegin)
        {
            var span = n + padBegin - (d * (k - 1)) - 1;
            var size = (long)Math.Ceiling(span / (double)s) + 1;
            return (size - 1) * s >= n + padBegin ? size - 1 : size;
        }

        (outH, outW) = (Size(h, k, s, d, pad), Size(w, k, s, d, pad));
        var y = new List<float>();
        for (var c = 0; c < channels; c++)
        {
            for (var oy = 0; oy < outH; oy++)
            {
                for (var ox = 0; ox < outW; ox++)
                {
                    var best = float.NegativeInfinity;
                    for (var ky = 0; ky < k; ky++)
                    {
                        for (var kx = 0; kx < k; kx++)
                        {
                            var (iy, ix) = ((oy * s) - pad + (ky * d), (ox * s) - pad + (kx * d));
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                            {
                                best = Math.Max(best, x[(((c * h) + iy) * w) + ix]);
                            }
                        }
                    }

                    y.Add(best);
                }
            }
        }

        return [.. y];
    }

    private static OnnxTrunk Import(GraphProto graph)
    {
        var trunk = OnnxTrunk.FromGraph(graph);
        trunk.eval();
        return trunk;
    }

    /// <summary>x [N, 2, H, W] float -> the nodes -> the last node's output.</summary>
    private static GraphProto Graph(params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "rules" };
        var shape = new TensorShapeProto();
        shape.Dim.AddRange([new() { DimParam = "n" }, new() { DimValue = 2 }, new() { DimParam = "h" }, new() { DimParam = "w" }]);
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } } });
        graph.Node.AddRange(nodes);
        graph.Output.Add(new ValueInfoProto { Name = nodes[^1].Output[0] });
        return graph;
    }

    private static NodeProto Node(string op, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}

internal static class GraphWeights
{
    /// <summary>Adds a float initializer of ones with <paramref name="dims"/>.</summary>
    public static GraphProto WithWeight(this GraphProto graph, string name, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(Enumerable.Repeat(1f, (int)dims.Aggregate(1L, (a, b) => a * b)));
        graph.Initializer.Add(t);
        return graph;
    }
}
