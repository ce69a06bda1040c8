using System.CommandLine;
using PosterGenre.Inference;
using PosterGenre.Training.Export;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>embed</c> command: a model file gains a second output, the L2-normalised features its
/// head reads (<see cref="OnnxEmbedding"/>), named with its length in the manifest. The
/// probabilities are computed by the same nodes as before, so every answer stays the same.
/// </summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model written by postergenre-train (its manifest beside it); rewritten in place.", Required = true };
        var command = new Command("embed", "Add the pooled features, L2-normalised, as a second output \"embedding\" of a model (for finding posters that look alike).") { model };
        command.SetAction(result => CommandSupport.Run(() => Execute(result.GetValue(model)!, Console.Out)));
        return command;
    }

    public static int Execute(string modelPath, TextWriter log)
    {
        var manifestPath = Path.ChangeExtension(modelPath, ".json");
        var manifest = ModelManifest.Load(manifestPath);
        var length = OnnxEmbedding.AddTo(modelPath, manifest.OutputName);
        (manifest with { EmbeddingName = OnnxEmbedding.OutputName, EmbeddingLength = length }).Save(manifestPath);
        log.WriteLine($"{modelPath}: output '{OnnxEmbedding.OutputName}' added, {length} L2-normalised features per poster");
        return 0;
    }
}
