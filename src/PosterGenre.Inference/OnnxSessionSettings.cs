namespace PosterGenre.Inference;

/// <summary>ONNX Runtime knobs, bound from configuration by the service.</summary>
public sealed record OnnxSessionSettings
{
    /// <summary>Threads one inference may use inside an operator; 0 lets ONNX Runtime choose (one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Graph optimisation level: disabled, basic, extended or all.</summary>
    public string GraphOptimization { get; init; } = "all";

    /// <summary>Sessions per model: 1 shares one session between concurrent requests; more makes a pool where each run takes a free session.</summary>
    public int Sessions { get; init; } = 1;

    /// <summary>Inferences running at once per model; bounds the native output buffers alive at a time.</summary>
    public int MaxConcurrentInferences { get; init; } = 4;
}
