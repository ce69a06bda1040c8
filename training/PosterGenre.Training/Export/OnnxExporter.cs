using PosterGenre.Training.Models;

namespace PosterGenre.Training.Export;

/// <summary>Writes a trained network as an ONNX model: input "poster" [batch, 3, H, W], output "probabilities" [batch, genres].</summary>
public static class OnnxExporter
{
    public const string InputName = "poster";
    public const string OutputName = "probabilities";

    public static void Export(IGenreNet net, string path, int height, int width, int genres, IReadOnlyDictionary<string, string> metadata, bool halfWeights = false)
    {
        var graph = new OnnxGraph(halfWeights);
        var input = graph.Input(InputName, "batch", 3, height, width);
        var probabilities = graph.Sigmoid(net.Export(graph, input));
        graph.Output(probabilities, OutputName, "batch", genres);
        graph.Save(path, metadata);
    }
}
