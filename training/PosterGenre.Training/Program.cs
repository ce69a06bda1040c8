using System.CommandLine;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training;

/// <summary>The <c>postergenre-train</c> command line: one command per file in Commands/.</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("PosterGenre training: train a poster genre CNN with TorchSharp, export it to ONNX and evaluate it.")
        {
            TrainCommand.Create(args),
            EvaluateCommand.Create(),
            ExportCommand.Create(),
            InspectCommand.Create(),
            TuneCommand.Create(),
            CalibrateCommand.Create(args),
            QuantizeCommand.Create(),
            PredictCommand.Create(),
            CheckNumericsCommand.Create(),
            EnsembleCommand.Create(args),
            EmbedCommand.Create(),
            IndexCommand.Create(),
            NeighboursCommand.Create(),
        };

        return root.Parse(args).Invoke();
    }
}
