using System.CommandLine;
using PosterGenre.Training.Models;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Export;

namespace PosterGenre.Training.Commands;

/// <summary>The <c>export</c> command: a TorchSharp checkpoint of a known architecture to ONNX.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint.bin written by train.", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture of the checkpoint.", DefaultValueFactory = _ => "poster-genre" };
        arch.AcceptOnlyFromAmong(Recipe.Names);
        var genres = new Option<int>("--genres") { Description = "Number of genres the model outputs.", DefaultValueFactory = _ => 25 };
        var output = new Option<string>("--out") { Description = "ONNX file to write.", Required = true };
        var command = new Command("export", "Convert a TorchSharp checkpoint to ONNX (train already does this).") { checkpoint, arch, genres, output };
        command.SetAction(result => CommandSupport.Run(() => ExportCommand.Execute(
            result.GetValue(checkpoint)!, result.GetValue(arch)!, result.GetValue(genres), result.GetValue(output)!, Console.Out)));
        return command;
    }

    public static int Execute(string checkpoint, string architecture, int genres, string output, TextWriter log)
    {
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"Checkpoint '{checkpoint}' does not exist.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var profile = Recipe.For(architecture);
        var net = profile.CreateNet(genres);
        net.load(checkpoint);
        net.eval();
        OnnxExporter.Export(((IGenreNet)net).Export, output, profile.Height, profile.Width, genres, new Dictionary<string, string> { ["architecture"] = architecture });
        log.WriteLine($"wrote {output}");
        return 0;
    }
}
