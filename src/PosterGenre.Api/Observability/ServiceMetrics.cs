using Prometheus;

namespace PosterGenre.Api.Observability;

/// <summary>The service's own Prometheus metrics; HTTP request counts and latencies come from prometheus-net's middleware.</summary>
public sealed class ServiceMetrics
{
    private static readonly Histogram Inference = Metrics.CreateHistogram(
        "postergenre_inference_seconds",
        "ONNX Runtime time per request batch, by model.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    private static readonly Histogram Preprocessing = Metrics.CreateHistogram(
        "postergenre_preprocess_seconds",
        "Decode, orient and resize time per uploaded image.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });

    private static readonly Histogram ImagesPerRequest = Metrics.CreateHistogram(
        "postergenre_images_per_request",
        "Files uploaded per prediction request.",
        new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128] });

    private static readonly Counter Rejected = Metrics.CreateCounter(
        "postergenre_rejected_uploads_total",
        "Uploaded files or requests refused, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    private static readonly Counter Reloads = Metrics.CreateCounter(
        "postergenre_model_reloads_total",
        "Model reloads, by model and outcome (swapped, unchanged, refused).",
        new CounterConfiguration { LabelNames = ["model", "outcome"] });

    private static readonly Gauge GcCommitted = Metrics.CreateGauge(
        "postergenre_gc_committed_bytes",
        "Memory the .NET garbage collector has committed for its heap; the process's resident memory minus this is mostly native (ONNX Runtime, SkiaSharp, the runtime).");

    static ServiceMetrics() =>
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => GcCommitted.Set(GC.GetGCMemoryInfo().TotalCommittedBytes));

    public void Reload(string model, string outcome) => Reloads.WithLabels(model, outcome).Inc();

    public void ObserveInference(string model, TimeSpan elapsed) => Inference.WithLabels(model).Observe(elapsed.TotalSeconds);

    public void ObservePreprocessing(TimeSpan elapsed) => Preprocessing.Observe(elapsed.TotalSeconds);

    public void ObserveImages(int count) => ImagesPerRequest.Observe(count);

    public void Reject(string reason) => Rejected.WithLabels(reason).Inc();
}
