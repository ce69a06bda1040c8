using PosterGenre.Training.Reporting;
using System.Text.Json;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// What an interrupted <c>train</c> needs to continue (<c>--resume</c>): written into
/// <c>&lt;out&gt;/resume/</c> after every finished epoch (weights, weight average, optimizer
/// state, the history so far) and deleted once the run has written its model. Each epoch's files
/// go into their own folder and <c>state.json</c>, naming it, is replaced last, so an interruption
/// while saving leaves the previous epoch's state whole.
/// </summary>
public sealed record ResumeState(string Architecture, int Epochs, int Seed, int TrainPosters, int EpochsDone, int Steps, double Best, int SinceBest, List<EpochRecord> History)
{
    public const string Folder = "resume";

    private const string StateFile = "state.json";

    // A refit has no validation, so its best validation mAP stays -infinity.
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string Root(string outDir) => Path.Combine(outDir, Folder);

    /// <summary>The folder holding the weights of the last finished epoch.</summary>
    public string EpochFolder(string outDir) => Path.Combine(Root(outDir), $"epoch-{EpochsDone}");

    /// <summary>Writes the state after <see cref="EpochsDone"/> epochs; <paramref name="writeTensors"/> saves the weights into the epoch folder.</summary>
    public void Save(string outDir, Action<string> writeTensors)
    {
        var folder = EpochFolder(outDir);
        Directory.CreateDirectory(folder);
        writeTensors(folder);
        var state = Path.Combine(Root(outDir), StateFile);
        File.WriteAllText(state + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(state + ".tmp", state, overwrite: true);
        foreach (var old in Directory.EnumerateDirectories(Root(outDir), "epoch-*").Where(d => d != folder))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>The state left in <paramref name="outDir"/> by an interrupted run.</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    public static ResumeState Load(string outDir)
    {
        var state = Path.Combine(Root(outDir), StateFile);
        if (!File.Exists(state))
        {
            throw new ArgumentException($"--resume: '{outDir}' holds no interrupted run ({Folder}/{StateFile} is missing); a run that finished deletes it.");
        }

        return JsonSerializer.Deserialize<ResumeState>(File.ReadAllText(state), Json)
            ?? throw new ArgumentException($"--resume: '{state}' is empty.");
    }

    /// <summary>Refuses to continue a run with another recipe, seed or training set: the result would be neither run.</summary>
    /// <exception cref="ArgumentException">Naming what differs.</exception>
    public void CheckMatches(string architecture, int epochs, int seed, int trainPosters)
    {
        var differences = new List<string>();
        if (Architecture != architecture)
        {
            differences.Add($"architecture {Architecture}, now {architecture}");
        }

        if (Epochs != epochs)
        {
            differences.Add($"{Epochs} epochs, now {epochs}");
        }

        if (Seed != seed)
        {
            differences.Add($"seed {Seed}, now {seed}");
        }

        if (TrainPosters != trainPosters)
        {
            differences.Add($"{TrainPosters} training posters, now {trainPosters}");
        }

        if (differences.Count > 0)
        {
            throw new ArgumentException($"--resume: the interrupted run had {string.Join("; ", differences)}. Resume with the same options, or train into a new folder.");
        }
    }

    public static void Delete(string outDir)
    {
        if (Directory.Exists(Root(outDir)))
        {
            Directory.Delete(Root(outDir), recursive: true);
        }
    }
}
