namespace PosterGenre.Training.Fitting;

/// <summary>The <c>train</c> command's options, parsed once.</summary>
public sealed record TrainOptions
{
    public required string DataDir { get; init; }

    public required string OutDir { get; init; }

    public required Recipe Profile { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>An existing split.csv to reuse instead of making one from the seed.</summary>
    public string? SplitFile { get; init; }

    /// <summary>
    /// An earlier run's folder to refit: train on its train and validation posters (its split.csv),
    /// keep the final weights and take its manifest's thresholds; test on its test posters.
    /// </summary>
    public string? RefitFrom { get; init; }

    /// <summary>Trained ONNX models (manifests beside them) whose mean probabilities are blended into the training targets.</summary>
    public IReadOnlyList<string> Teachers { get; init; } = [];

    /// <summary>The teachers' share of each training target, above 0 and at most 1 (used only with <see cref="Teachers"/>).</summary>
    public double DistillWeight { get; init; } = 0.5;

    /// <summary>
    /// Train on this share of the training split (a prefix of its posters shuffled by the seed, so
    /// a smaller share is part of a larger one), keeping validation and test whole: learning curves.
    /// </summary>
    public double TrainFraction { get; init; } = 1;

    /// <summary>Use only the first N valid posters (for smoke tests); 0 uses all.</summary>
    public int Limit { get; init; }

    /// <summary>Stop each epoch after this many batches (for smoke tests); 0 runs full epochs.</summary>
    public int MaxBatches { get; init; }

    public int Threads { get; init; }

    /// <summary>Genres need this many positives in a split to enter its macro averages (and validation mAP).</summary>
    public int MinPositivesForMacro { get; init; } = Evaluation.Evaluator.MinPositivesForMacro;

    public string ModelName { get; init; } = "";

    public string Version { get; init; } = "1.0.0";

    public required string CommandLine { get; init; }

    /// <summary>Continue the interrupted run in <see cref="OutDir"/> from its last finished epoch.</summary>
    public bool Resume { get; init; }

    /// <summary>Tests: stop after this epoch as an interruption would (its resume state saved); 0 never.</summary>
    internal int StopAfterEpoch { get; init; }
}
