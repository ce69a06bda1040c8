namespace PosterGenre.Training.Export;

/// <summary>Writes a trained network (its layers added to a graph by <c>network</c>, e.g. IGenreNet.Export) as an ONNX model: input "poster" [batch, 3, H, W], output "probabilities" [batch, genres].</summary>
public static class OnnxExporter
{
    public const string InputName = "poster";
    public const string OutputName = "probabilities";

    public static void Export(Func<OnnxGraph, string, string> network, string path, int height, int width, int genres, IReadOnlyDictionary<string, string> metadata, bool halfWeights = false)
    {
        var graph = new OnnxGraph(halfWeights);
        var input = graph.Input(InputName, "batch", 3, height, width);
        var probabilities = graph.Sigmoid(network(graph, input));
        graph.Output(probabilities, OutputName, "batch", genres);
        graph.Save(path, metadata);
    }
}
