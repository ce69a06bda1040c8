using System.Text.Json;
using System.Text.Json.Serialization;
using PosterGenre.Imaging;

namespace PosterGenre.Inference;

/// <summary>
/// The JSON file beside each ONNX model: what the model outputs, how its input is made, how its
/// probabilities become a genre set, and where it came from. Written by training, read by the
/// service and by <c>evaluate</c>.
/// </summary>
public sealed record ModelManifest
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // A genre without test positives has no ROC-AUC; it is written as "NaN" rather than failing.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Architecture name as given to <c>train --arch</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Genre names in the order of the model's output columns.</summary>
    public required string[] Genres { get; init; }

    /// <summary>Per-genre decision thresholds, tuned on the validation split, in <see cref="Genres"/> order.</summary>
    public required float[] Thresholds { get; init; }

    /// <summary>The predicted set holds at least this many genres (the most probable ones fill it up).</summary>
    public int MinGenres { get; init; } = 1;

    /// <summary>The predicted set holds at most this many genres (IMDB lists 1 to 3).</summary>
    public int MaxGenres { get; init; } = 3;

    public required PreprocessingSpec Preprocessing { get; init; }

    /// <summary>Average the model over the poster and its mirror image ("hflip"), or not ("none").</summary>
    public string TestTimeAugmentation { get; init; } = "none";

    /// <summary>ONNX input name; the output is read from <see cref="OutputName"/>.</summary>
    public string InputName { get; init; } = "poster";

    public string OutputName { get; init; } = "probabilities";

    /// <summary>Multiply-accumulate operations for one poster (one forward pass, without TTA).</summary>
    public long? MacsPerPoster { get; init; }

    public long? Parameters { get; init; }

    public TrainingDataInfo? TrainingData { get; init; }

    /// <summary>Test-split metrics from <c>evaluate</c>: macroRocAuc, macroAp, microF1, ...</summary>
    public Dictionary<string, double>? TestMetrics { get; init; }

    public string? TrainingCommand { get; init; }

    /// <summary>Where the starting weights came from, for a model fine-tuned from a pretrained network; null when trained from scratch.</summary>
    public PretrainedWeights? StartedFrom { get; init; }

    /// <summary>
    /// For a refit (trained on an earlier run's train + validation posters, with that run's
    /// thresholds): that run's name, version and command; null otherwise.
    /// </summary>
    public string? RefitOf { get; init; }

    /// <summary>The probability calibration built into the ONNX graph by <c>calibrate</c>; null when there is none.</summary>
    public ProbabilityCalibration? Calibration { get; init; }

    /// <summary>How the weights and activations were quantized by <c>quantize</c> (e.g. int8), and on which posters; null for a float model.</summary>
    public string? Quantization { get; init; }

    /// <summary>The name of the model's second output, the L2-normalised features its head reads (<c>postergenre-train embed</c>), and their length; null when it has none.</summary>
    public string? EmbeddingName { get; init; }

    public int? EmbeddingLength { get; init; }

    /// <summary>For an ensemble (<c>postergenre-train ensemble</c>): each member's name, version, file and SHA-256, in graph order; null for one network.</summary>
    public string[]? Members { get; init; }

    /// <summary>The CPU the network was trained on and what the training CLI's numerics check found there (oneDNN's cap, if one was needed); null for older runs.</summary>
    public TrainingNumerics? Numerics { get; init; }

    public DateTimeOffset? CreatedUtc { get; init; }

    public static ModelManifest Load(string path)
    {
        ModelManifest? manifest;
        try
        {
            using var stream = File.OpenRead(path);
            manifest = JsonSerializer.Deserialize<ModelManifest>(stream, JsonOptions);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Model manifest '{path}' cannot be read: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new InvalidDataException($"Model manifest '{path}' is empty.");
        }

        manifest.Validate(path);
        return manifest;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions) + "\n");

    /// <summary>Throws naming the file and the field when the manifest cannot describe a usable model.</summary>
    public void Validate(string path)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(Name))
        {
            problem = "name is empty";
        }
        else if (Genres is not { Length: > 0 })
        {
            problem = "genres is empty";
        }
        else if (Thresholds is null || Thresholds.Length != Genres.Length)
        {
            problem = $"thresholds has {Thresholds?.Length ?? 0} values for {Genres.Length} genres";
        }
        else if (MinGenres < 0 || MaxGenres < Math.Max(1, MinGenres) || MinGenres > Genres.Length)
        {
            problem = $"minGenres {MinGenres} / maxGenres {MaxGenres} are inconsistent";
        }
        else if (TestTimeAugmentation is not ("none" or "hflip"))
        {
            problem = $"testTimeAugmentation '{TestTimeAugmentation}' is not 'none' or 'hflip'";
        }
        else if (Preprocessing is null)
        {
            problem = "preprocessing is missing";
        }
        else
        {
            try
            {
                Preprocessing.Validate();
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
            }
        }

        if (problem is not null)
        {
            throw new InvalidDataException($"Model manifest '{path}' is invalid: {problem}.");
        }
    }
}

/// <summary>A pretrained network a model started from: the package that ships it, the file and its licence.</summary>
/// <summary>
/// What <c>train</c>'s numerics check found: the CPU, the oneDNN cap it set (null: none was
/// needed), its figures under that cap, and without it when the cap was needed.
/// </summary>
public sealed record TrainingNumerics(string Cpu, string? OneDnnCap, string Check, string? Uncapped);

public sealed record PretrainedWeights(string Package, string Version, string File, string Sha256, string Licence);
