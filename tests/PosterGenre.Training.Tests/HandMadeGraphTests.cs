using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using PosterGenre.Training.Export;
using PosterGenre.Training.Export.Onnx;
using PosterGenre.Training.Models;
using TorchSharp;
using static TorchSharp.torch;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace PosterGenre.Training.Tests;

/// <summary>
/// The importer on a small graph written by hand that uses every operator it reads, with the
/// asymmetric pads of the CNTK ResNet: the imported module matches ONNX Runtime, the module
/// exported again matches the original, and what it cannot build is refused by name.
/// </summary>
public sealed class HandMadeGraphTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-import-").FullName;

    [Fact]
    public void ImportedGraphMatchesOnnxRuntime()
    {
        var path = Save(SmallGraph(), "small.onnx");
        random.manual_seed(2);
        var input = randn(1, 3, 12, 10);

        var expected = RunOnnx(path, input);
        var trunk = OnnxTrunk.Load(path);
        trunk.eval();
        using var noGrad = no_grad();
        var actual = trunk.call(input).data<float>().ToArray();

        Assert.Equal(4, actual.Length);
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) <= 1e-5f);
        Assert.True(expected.Distinct().Count() == 4, "the channels should differ");
    }

    [Fact]
    public void ExportedAgainTheGraphGivesTheSameOutput()
    {
        var path = Save(SmallGraph(), "small.onnx");
        var trunk = OnnxTrunk.Load(path);
        trunk.eval();
        var graph = new OnnxGraph();
        graph.Output(trunk.Export(graph, graph.Input("x", 1, 3, 12, 10)), "y", 1, 4);
        var again = Path.Combine(dir, "again.onnx");
        graph.Save(again, new Dictionary<string, string>());
        random.manual_seed(3);
        var input = randn(1, 3, 12, 10);

        var exported = ModelProto.Parser.ParseFrom(File.ReadAllBytes(again)).Graph;
        // The BatchNorm that follows the first convolution is folded into it; the pads survive.
        Assert.DoesNotContain(exported.Node, n => n.OpType == "BatchNormalization");
        Assert.Contains(exported.Node, n => n.OpType == "MaxPool" && n.Attribute.Single(a => a.Name == "pads").Ints.SequenceEqual([1L, 1, 0, 0]));
        Assert.Equal(RunOnnx(path, input), RunOnnx(again, input), (a, b) => Math.Abs(a - b) <= 1e-5f);
    }

    [Fact]
    public void HalfWeightsHalveTheFileAndStayClose()
    {
        var path = Save(SmallGraph(weightScale: 64), "wide.onnx");
        var trunk = OnnxTrunk.Load(path);
        trunk.eval();
        string Export(bool half)
        {
            var graph = new OnnxGraph(half);
            graph.Output(trunk.Export(graph, graph.Input("x", 1, 3, 12, 10)), "y", 1, 256);
            var file = Path.Combine(dir, half ? "half.onnx" : "full.onnx");
            graph.Save(file, new Dictionary<string, string>());
            return file;
        }

        var (full, half) = (Export(false), Export(true));
        random.manual_seed(4);
        var input = randn(1, 3, 12, 10);

        Assert.InRange(new FileInfo(half).Length, 0.45 * new FileInfo(full).Length, 0.6 * new FileInfo(full).Length);
        var (a, b) = (RunOnnx(full, input), RunOnnx(half, input));
        // Relative to the largest output: float16 keeps about 3 significant digits of each weight.
        var worst = a.Zip(b, (x, y) => Math.Abs(x - y)).Max() / a.Max(Math.Abs);
        Assert.True(worst is > 0 and < 5e-3f, $"max |float16 - float32| / max |float32| = {worst:E2}: float16 storage should round, a little");
    }

    [Fact]
    public void AnUnsupportedOperatorIsRefusedByName()
    {
        var graph = SmallGraph();
        graph.Node.Single(n => n.Name == "relu").OpType = "Sigmoid";
        var path = Save(graph, "sigmoid.onnx");

        var e = Assert.Throws<NotSupportedException>(() => OnnxTrunk.Load(path));

        Assert.Contains("'Sigmoid'", e.Message);
        Assert.Contains("'relu'", e.Message);
    }

    [Fact]
    public void AMissingOrBrokenFileIsAClearError()
    {
        var missing = Path.Combine(dir, "nowhere.onnx");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => OnnxTrunk.Load(missing)).Message);

        var broken = Path.Combine(dir, "broken.onnx");
        File.WriteAllText(broken, "this is not a protobuf message at all");
        Assert.Contains("not an ONNX model", Assert.Throws<InvalidDataException>(() => OnnxTrunk.Load(broken)).Message);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>
    /// x [1,3,12,10] -> Conv 3x3 stride 2, pads [1,1,0,0], bias -> BatchNormalization -> Relu ->
    /// MaxPool 3x3 stride 2, pads [1,1,0,0] -> Conv 3x3 pads 1 (no bias) -> Add (the residual) ->
    /// AveragePool 2x2 -> GlobalAveragePool -> Flatten: y [1, channels].
    /// </summary>
    private static GraphProto SmallGraph(int weightScale = 1)
    {
        var c = 4 * weightScale;
        var generator = new Random(7);
        var graph = new GraphProto { Name = "hand-made" };
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        float[] Values(int n, float scale, float offset = 0) => [.. Enumerable.Range(0, n).Select(_ => offset + (scale * (float)((generator.NextDouble() * 2) - 1)))];
        void Initializer(string name, long[] dims, float[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            t.Dims.AddRange(dims);
            t.FloatData.AddRange(values);
            graph.Initializer.Add(t);
        }

        Initializer("w1", [c, 3, 3, 3], Values(c * 27, 0.4f));
        Initializer("b1", [c], Values(c, 0.1f));
        Initializer("scale", [c], Values(c, 0.3f, 1));
        Initializer("shift", [c], Values(c, 0.2f));
        Initializer("mean", [c], Values(c, 0.2f));
        Initializer("var", [c], Values(c, 0.3f, 1));
        Initializer("w2", [c, c, 3, 3], Values(c * c * 9, 0.2f));
        graph.Node.Add(Node("Conv", "conv1", ["x", "w1", "b1"], ("kernel_shape", [3, 3]), ("strides", [2, 2]), ("pads", [1, 1, 0, 0])));
        graph.Node.Add(Node("BatchNormalization", "bn1", ["conv1", "scale", "shift", "mean", "var"]));
        graph.Node.Add(Node("Relu", "relu", ["bn1"]));
        graph.Node.Add(Node("MaxPool", "pool", ["relu"], ("kernel_shape", [3, 3]), ("strides", [2, 2]), ("pads", [1, 1, 0, 0])));
        graph.Node.Add(Node("Conv", "conv2", ["pool", "w2"], ("kernel_shape", [3, 3]), ("pads", [1, 1, 1, 1])));
        graph.Node.Add(Node("Add", "sum", ["conv2", "pool"]));
        graph.Node.Add(Node("AveragePool", "avg", ["sum"], ("kernel_shape", [2, 2])));
        graph.Node.Add(Node("GlobalAveragePool", "gap", ["avg"]));
        graph.Node.Add(Node("Flatten", "y", ["gap"]));
        return graph;
    }

    private static NodeProto Node(string op, string name, string[] inputs, params (string Name, long[] Values)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        foreach (var (attribute, values) in attributes)
        {
            var a = new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(values);
            node.Attribute.Add(a);
        }

        return node;
    }

    private string Save(GraphProto graph, string name)
    {
        foreach (var value in graph.Input.Concat(graph.Output))
        {
            value.Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } };
        }

        var model = new ModelProto { IrVersion = OnnxGraph.IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxGraph.Opset });
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static float[] RunOnnx(string path, Tensor input)
    {
        using var session = new InferenceSession(path);
        var name = session.InputMetadata.Keys.First();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor(input.contiguous().data<float>().ToArray(), [.. input.shape.Select(d => (int)d)]))]);
        return [.. results.First().AsEnumerable<float>()];
    }
}
