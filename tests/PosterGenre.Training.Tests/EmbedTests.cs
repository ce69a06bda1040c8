using Microsoft.ML.OnnxRuntime;
using PosterGenre.Inference;
using PosterGenre.Training.Commands;
using PosterGenre.Training.Export.Onnx;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

namespace PosterGenre.Training.Tests;

/// <summary>
/// <c>embed</c> on a shipped model: the file gains an "embedding" output equal to the head's input
/// features divided by their length (computed here from those features), and its probabilities
/// stay exactly what they were.
/// </summary>
public sealed class EmbedTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-embed-").FullName;

    [Fact]
    public void TheEmbeddingIsTheHeadsFeaturesL2NormalisedAndTheProbabilitiesStayTheSame()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");
        var model = Path.Combine(dir, "fast.onnx");
        File.Copy(source, model);
        File.Copy(Path.ChangeExtension(source, ".json"), Path.ChangeExtension(model, ".json"));

        Assert.Equal(0, EmbedCommand.Execute(model, TextWriter.Null));

        var manifest = ModelManifest.Load(Path.ChangeExtension(model, ".json"));
        var random = new Random(4);
        var shape = new[] { 2, 3, manifest.Preprocessing.Height, manifest.Preprocessing.Width };
        float[] values = [.. Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)((random.NextDouble() * 4) - 2))];
        var input = new DenseTensor(values, shape);
        var before = Run(source, input, [manifest.OutputName])[0];
        var after = Run(model, input, [manifest.OutputName, "embedding"]);
        var features = Run(WithHeadInput(model), input, ["head_input"])[0];

        Assert.Equal(before, after[0]);
        Assert.Equal("embedding", manifest.EmbeddingName);
        Assert.Equal(features.Length / 2, manifest.EmbeddingLength);
        for (var p = 0; p < 2; p++)
        {
            var row = features.AsSpan(p * manifest.EmbeddingLength!.Value, manifest.EmbeddingLength.Value).ToArray();
            var norm = Math.Sqrt(row.Sum(v => (double)v * v));
            var embedding = after[1].AsSpan(p * row.Length, row.Length).ToArray();
            Assert.Equal(row.Select(v => (float)(v / norm)), embedding, (a, b) => Math.Abs(a - b) <= 1e-6f);
        }

        Assert.Throws<InvalidDataException>(() => EmbedCommand.Execute(model, TextWriter.Null));
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A copy of the embedded model that also outputs what its LpNormalization reads, as "head_input".</summary>
    private string WithHeadInput(string model)
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(model));
        var norm = proto.Graph.Node.Single(n => n.OpType == "LpNormalization");
        proto.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = "head_input", Input = { norm.Input[0] }, Output = { "head_input" } });
        proto.Graph.Output.Add(new ValueInfoProto { Name = "head_input", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
        var path = Path.Combine(dir, "head-input.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        return path;
    }

    private static float[][] Run(string path, DenseTensor input, string[] outputs)
    {
        using var session = new InferenceSession(path);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)], outputs);
        return [.. outputs.Select(o => results.Single(r => r.Name == o).AsEnumerable<float>().ToArray())];
    }
}
