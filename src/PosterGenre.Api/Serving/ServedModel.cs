using Microsoft.Extensions.ObjectPool;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Serving;

/// <summary>
/// A loaded model with the preprocessing its manifest asks for, under the service's upload limits.
/// Requests hold it through a <see cref="ModelLease"/>; once a reload has replaced it, it is
/// disposed when the last request that holds it finishes.
/// </summary>
public sealed class ServedModel(string name, GenreModel model, bool isDefault, DateTimeOffset loadedUtc, string fingerprint)
{
    private readonly Lock gate = new();
    private int users;
    private bool retired;

    public string Name => name;

    public GenreModel Model => model;

    /// <summary>The model's one preprocessor, under the service's upload limits and decode budget.</summary>
    public PosterPreprocessor Preprocessor => model.Preprocessor;

    /// <summary>
    /// Input tensors for this model's posters, reused across requests: each is 660 KB for the
    /// default model, which allocated afresh sent a lone client's requests through a full
    /// collection every few posters (docs/performance.md, "Pooled input tensors").
    /// </summary>
    public ObjectPool<float[]> Tensors { get; } = new DefaultObjectPool<float[]>(
        new TensorPolicy(model.Manifest.Preprocessing.TensorLength), 4 * Environment.ProcessorCount);

    public bool IsDefault => isDefault;

    public ModelManifest Manifest => model.Manifest;

    /// <summary>When this version was loaded.</summary>
    public DateTimeOffset LoadedUtc => loadedUtc;

    /// <summary>SHA-256 of the model and manifest files it was loaded from.</summary>
    public string Fingerprint => fingerprint;

    /// <summary>Networks one inference runs: an ensemble's members, else 1.</summary>
    public int Networks => Math.Max(1, model.Manifest.Members?.Length ?? 1);

    /// <summary>
    /// Most posters one request may have explained with this model: the configured
    /// <c>Uploads:MaxExplainedFiles</c> shared among an ensemble's networks (each explained poster
    /// costs 55 inferences of every member), at least one.
    /// </summary>
    public int MaxExplainedFiles(int configured) => Math.Max(1, configured / Networks);

    internal bool TryRetain()
    {
        lock (gate)
        {
            users += retired ? 0 : 1;
            return !retired;
        }
    }

    internal void Release()
    {
        lock (gate)
        {
            if (--users == 0 && retired)
            {
                model.Dispose();
            }
        }
    }

    /// <summary>No new requests; disposed now if none holds it, else when the last one finishes.</summary>
    internal void Retire()
    {
        lock (gate)
        {
            retired = true;
            if (users == 0)
            {
                model.Dispose();
            }
        }
    }
}

/// <summary>A request's hold on a <see cref="ServedModel"/>: the version it started with, kept until it is done.</summary>
public readonly struct ModelLease(ServedModel model) : IDisposable
{
    public ServedModel Model => model;

    public void Dispose() => model.Release();
}

/// <summary>Makes input tensors of one length and takes back only those.</summary>
internal sealed class TensorPolicy(int length) : IPooledObjectPolicy<float[]>
{
    public float[] Create() => new float[length];

    public bool Return(float[] tensor) => tensor.Length == length;
}
