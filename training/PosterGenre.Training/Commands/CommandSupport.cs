using System.CommandLine;
using PosterGenre.Training.Data;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Commands;

/// <summary>What every command shares: the error handling of a run, the dataset option, quoting for a recorded command line.</summary>
internal static class CommandSupport
{

    /// <summary>Turns the errors a user can fix into one clear line and exit code 2, never a stack trace.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DatasetException or NumericsException or InvalidDataException or FileNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    public static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;


    /// <summary>The dataset folder option of train, evaluate and inspect.</summary>
    public static Option<string> DataOption() => new("--data")
    {
        Description = "Dataset folder: posters.csv (Id, Genre, one 0/1 column per genre) and images/<Id>.jpg (or .jpeg, .png, .webp, .gif, .bmp).",
        Required = true,
    };
}
