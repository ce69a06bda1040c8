using Google.Protobuf;
using PosterGenre.Training.Export.Onnx;

namespace PosterGenre.Training.Export;

/// <summary>
/// Gives a model written by <c>postergenre-train</c> a second output, <see cref="OutputName"/>: the
/// features its linear head reads (for the ResNet models, the trunk's globally pooled 512 numbers),
/// L2-normalised by an ONNX LpNormalization, so that the cosine of two posters is the dot product of
/// their embeddings. The probabilities and every node that computes them stay as they were.
/// </summary>
public static class OnnxEmbedding
{
    public const string OutputName = "embedding";

    /// <summary>Adds the output to the model file at <paramref name="modelPath"/> (rewritten whole, then moved over it) and returns its length.</summary>
    public static int AddTo(string modelPath, string probabilitiesName)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        var length = Add(model, probabilitiesName, modelPath);
        var temporary = modelPath + ".tmp";
        File.WriteAllBytes(temporary, model.ToByteArray());
        File.Move(temporary, modelPath, overwrite: true);
        return length;
    }

    /// <summary>Adds the output to <paramref name="model"/> and returns its length (the head's input features).</summary>
    internal static int Add(ModelProto model, string probabilitiesName, string description)
    {
        var graph = model.Graph;
        if (graph.Output.Any(o => o.Name == OutputName))
        {
            throw new InvalidDataException($"'{description}' has an output named '{OutputName}' already.");
        }

        var head = Head(graph, probabilitiesName)
            ?? throw new InvalidDataException($"'{description}' does not end in a Gemm head read by a Sigmoid feeding '{probabilitiesName}', as models written by postergenre-train do; it has no features to embed.");
        var dimensions = HeadInputs(graph, head);
        graph.Node.Add(new NodeProto
        {
            OpType = "LpNormalization",
            Name = "embedding_l2",
            Input = { head.Input[0] },
            Output = { OutputName },
            Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }, new AttributeProto { Name = "p", Type = AttributeProto.Types.AttributeType.Int, I = 2 } },
        });
        var probabilities = graph.Output.Single(o => o.Name == probabilitiesName);
        var type = probabilities.Type.Clone();
        type.TensorType.Shape.Dim[1] = new TensorShapeProto.Types.Dimension { DimValue = dimensions };
        graph.Output.Add(new ValueInfoProto { Name = OutputName, Type = type });
        return dimensions;
    }

    /// <summary>The Gemm whose output reaches the Sigmoid -> Identity(probabilities), through a calibration's Mul and Add if there are any.</summary>
    private static NodeProto? Head(GraphProto graph, string probabilitiesName)
    {
        NodeProto? Maker(string value) => graph.Node.SingleOrDefault(n => n.Output.Contains(value));
        var node = Maker(probabilitiesName);
        node = node is { OpType: "Identity" } ? Maker(node.Input[0]) : node;
        if (node is not { OpType: "Sigmoid" })
        {
            return null;
        }

        node = Maker(node.Input[0]);
        while (node is { OpType: "Mul" or "Add" })
        {
            node = Maker(node.Input[0]);
        }

        return node is { OpType: "Gemm" } ? node : null;
    }

    /// <summary>The head's input features: from its weight [genres, features] (transB=1) or [features, genres], stored directly or cast from float16.</summary>
    private static int HeadInputs(GraphProto graph, NodeProto head)
    {
        var weight = head.Input[1];
        var cast = graph.Node.SingleOrDefault(n => n.OpType == "Cast" && n.Output.Contains(weight));
        var initializer = graph.Initializer.Single(t => t.Name == (cast?.Input[0] ?? weight));
        var transposed = head.Attribute.FirstOrDefault(a => a.Name == "transB")?.I == 1;
        return (int)initializer.Dims[transposed ? 1 : 0];
    }
}
