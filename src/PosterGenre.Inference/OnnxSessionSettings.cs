using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Inference;

/// <summary>
/// ONNX Runtime knobs, bound from configuration by the service. Their ranges are the [Range]
/// attributes, checked by the service's start-up validation and by <see cref="GenreModel.Load"/>.
/// </summary>
public sealed record OnnxSessionSettings
{
    /// <summary>Threads one inference may use inside an operator; 0 lets ONNX Runtime choose (one per core).</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// An inference that starts while no other is running, for the only caller about
    /// (<see cref="GenreModel.BeginCall"/>), uses a session of its own with one thread per core, so
    /// a lone request has the whole machine; under concurrency every run keeps
    /// <see cref="IntraOpThreads"/>. Costs a second session (the weights twice in memory).
    /// </summary>
    public bool UseAllCoresWhenAlone { get; init; }

    /// <summary>ONNX Runtime's graph optimisation level (all: also the QDQ fusions an int8 model needs).</summary>
    public OnnxGraphOptimization GraphOptimization { get; init; } = OnnxGraphOptimization.All;

    /// <summary>Sessions per model: 1 shares one session between concurrent requests; more makes a pool where each run takes a free session.</summary>
    [Range(1, 64)]
    public int Sessions { get; init; } = 1;

    /// <summary>Inferences running at once per model (0: one per core): the model's own inference threads, which alone run it; bounds the native buffers alive at a time.</summary>
    [Range(0, 1024)]
    public int MaxConcurrentInferences { get; init; }

    /// <summary><see cref="MaxConcurrentInferences"/> with 0 resolved to the processor count.</summary>
    public int ResolvedConcurrentInferences => MaxConcurrentInferences > 0 ? MaxConcurrentInferences : Environment.ProcessorCount;
}

/// <summary>ONNX Runtime's graph optimisation levels, as configuration names them.</summary>
public enum OnnxGraphOptimization
{
    Disabled,
    Basic,
    Extended,
    All,
}
