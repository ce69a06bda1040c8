using PosterGenre.Training.Models;
using PosterGenre.Training.Training;

namespace PosterGenre.Training.Export;

/// <summary>The <c>export</c> command: a TorchSharp checkpoint of a known architecture to ONNX.</summary>
public static class ExportRun
{
    public static int Execute(string checkpoint, string architecture, int genres, string output, TextWriter log)
    {
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"Checkpoint '{checkpoint}' does not exist.");
        }

        var profile = TrainingProfile.For(architecture);
        var net = profile.CreateNet(genres);
        net.load(checkpoint);
        net.eval();
        OnnxExporter.Export((IGenreNet)net, output, profile.Height, profile.Width, genres, new Dictionary<string, string> { ["architecture"] = architecture });
        log.WriteLine($"wrote {output}");
        return 0;
    }
}
