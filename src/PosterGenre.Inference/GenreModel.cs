using System.Numerics.Tensors;
using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using PosterGenre.Imaging;

namespace PosterGenre.Inference;

/// <summary>
/// One trained model: its manifest, its preprocessing and long-lived ONNX Runtime sessions.
/// Thread-safe: <see cref="Predict"/> may be called concurrently. With one session (the default)
/// concurrent runs share it; with more, each run takes a free session from the pool. Runs happen
/// on <see cref="OnnxSessionSettings.MaxConcurrentInferences"/> threads of the model's own
/// (<see cref="InferenceWorkers"/>), so native buffers stay bounded under any load.
/// </summary>
public sealed class GenreModel : IDisposable
{
    private readonly InferenceSession[] sessions;
    private readonly InferenceSession? lone;
    private int running;
    private int callers;
    private readonly ConcurrentQueue<InferenceSession> idle;
    private readonly SemaphoreSlim sessionSlots;
    private readonly InferenceWorkers workers;
    private readonly string inputName;
    private readonly string outputName;
    private readonly string? embeddingName;

    private GenreModel(string modelPath, ModelManifest manifest, InferenceSession[] sessions, InferenceSession? lone, OnnxSessionSettings settings, ImageLimits? limits)
    {
        this.lone = lone;
        ModelPath = modelPath;
        Manifest = manifest;
        this.sessions = sessions;
        idle = new ConcurrentQueue<InferenceSession>(sessions);
        sessionSlots = new SemaphoreSlim(sessions.Length, sessions.Length);
        Preprocessor = new PosterPreprocessor(manifest.Preprocessing, limits);

        var metadata = sessions[0].InputMetadata;
        inputName = metadata.ContainsKey(manifest.InputName) ? manifest.InputName : metadata.Keys.First();
        var outputs = sessions[0].OutputMetadata;
        outputName = outputs.ContainsKey(manifest.OutputName) ? manifest.OutputName : outputs.Keys.First();
        ValidateShapes(metadata[inputName], outputs[outputName]);
        if (manifest.EmbeddingName is { } embedding)
        {
            ValidateEmbedding(outputs, embedding, manifest.EmbeddingLength);
            embeddingName = embedding;
        }

        workers = new InferenceWorkers(settings.ResolvedConcurrentInferences, manifest.Name);
    }

    public string ModelPath { get; }

    public ModelManifest Manifest { get; }

    public PosterPreprocessor Preprocessor { get; }

    public int GenreCount => Manifest.Genres.Length;

    /// <summary>Whether the model has the embedding output its manifest names (<see cref="ModelManifest.EmbeddingName"/>): what <see cref="PredictAndEmbed"/> needs.</summary>
    public bool CanEmbed => embeddingName is not null;

    /// <summary>
    /// Loads the model at <paramref name="modelPath"/> with the manifest at <paramref name="manifestPath"/>
    /// (default: the model path with <c>.json</c>); its preprocessor decodes within <paramref name="limits"/> (default: <see cref="ImageLimits.Default"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The model or manifest is missing, unreadable or inconsistent; the message names the file.</exception>
    public static GenreModel Load(string modelPath, string? manifestPath = null, OnnxSessionSettings? settings = null, ImageLimits? limits = null)
    {
        settings ??= new OnnxSessionSettings();
        manifestPath ??= Path.ChangeExtension(modelPath, ".json");
        if (!File.Exists(modelPath))
        {
            throw new InvalidDataException($"Model file '{modelPath}' does not exist.");
        }

        if (!File.Exists(manifestPath))
        {
            throw new InvalidDataException($"Model manifest '{manifestPath}' does not exist.");
        }

        System.ComponentModel.DataAnnotations.Validator.ValidateObject(settings, new(settings), validateAllProperties: true);

        var manifest = ModelManifest.Load(manifestPath);
        var created = new List<InferenceSession>();
        try
        {
            var bytes = File.ReadAllBytes(modelPath);
            for (var i = 0; i < settings.Sessions; i++)
            {
                using var options = CreateOptions(settings);
                created.Add(new InferenceSession(bytes, options));
            }

            InferenceSession? lone = null;
            if (settings.UseAllCoresWhenAlone)
            {
                // Its thread pool sleeps between runs instead of spinning, since a lone request's decode
                // and HTTP work share the cores with it (docs/performance.md: 1 client 1.22-1.25x the
                // in-process latency, against 1.43x with spinning).
                using var options = CreateOptions(settings with { IntraOpThreads = 0 }, spinning: false);
                created.Add(lone = new InferenceSession(bytes, options));
            }

            var model = new GenreModel(modelPath, manifest, [.. created.Take(settings.Sessions)], lone, settings, limits);
            NativeHeap.ReturnFreeMemory();
            return model;
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or IOException)
        {
            created.ForEach(s => s.Dispose());
            throw new InvalidDataException($"Model file '{modelPath}' cannot be loaded: {e.Message}", e);
        }
        catch
        {
            created.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Probabilities for a batch of preprocessed posters (each <see cref="PreprocessingSpec.TensorLength"/>
    /// floats, CHW), one row of <see cref="GenreCount"/> values per poster.
    /// </summary>
    public float[][] Predict(IReadOnlyList<float[]> posters)
    {
        if (posters.Count == 0)
        {
            return [];
        }

        CheckLengths(posters);
        return workers.Run(() => PredictNow(posters));
    }

    /// <summary>
    /// Runs <paramref name="work"/> (decoding posters and predicting them, say) on one of the
    /// model's inference threads when one is free, so that at most
    /// <see cref="OnnxSessionSettings.MaxConcurrentInferences"/> pieces of work run at once;
    /// <see cref="Predict"/> called inside it runs on that thread.
    /// </summary>
    public Task<T> OnInferenceThreadAsync<T>(Func<T> work) => workers.RunAsync(work);

    /// <summary>
    /// Probabilities and embeddings (<see cref="ModelManifest.EmbeddingLength"/> values, L2-normalised)
    /// for a batch of preprocessed posters, from one ONNX Runtime run.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no embedding output (<see cref="CanEmbed"/>).</exception>
    public (float[][] Probabilities, float[][] Embeddings) PredictAndEmbed(IReadOnlyList<float[]> posters)
    {
        if (embeddingName is null)
        {
            throw new InvalidOperationException($"Model {Manifest.Name} {Manifest.Version} has no embedding output: add one with postergenre-train embed.");
        }

        if (posters.Count == 0)
        {
            return ([], []);
        }

        CheckLengths(posters);
        return workers.Run(() =>
        {
            var rows = RunOutputs(posters, outputName, embeddingName);
            if (Manifest.TestTimeAugmentation == "hflip")
            {
                // A poster's embedding averaged with its mirror image's is no longer of unit length.
                foreach (var embedding in rows[1])
                {
                    TensorPrimitives.Divide(embedding, Math.Max(TensorPrimitives.Norm(embedding), float.Epsilon), embedding);
                }
            }

            return (rows[0], rows[1]);
        });
    }

    /// <summary>One ONNX Runtime run over the posters (and their mirror images with flip TTA).</summary>
    private float[][] PredictNow(IReadOnlyList<float[]> posters) => RunOutputs(posters, outputName)[0];

    /// <summary>One ONNX Runtime run over the posters (and their mirror images with flip TTA): per output named, one row per poster.</summary>
    private float[][][] RunOutputs(IReadOnlyList<float[]> posters, params string[] outputNames)
    {
        var flip = Manifest.TestTimeAugmentation == "hflip";
        var n = posters.Count;
        var rows = flip ? 2 * n : n;
        // A lone poster without TTA runs from its own array: no copy of its 660 KB per request.
        var outputs = Run(rows == 1 ? posters[0] : InputBatch.Of(posters, Manifest.Preprocessing, flip), rows, outputNames);
        return [.. outputs.Select(output => PerPoster(output, n, flip))];
    }

    /// <summary>An output's rows, one per poster, the mirror image's row averaged in with flip TTA.</summary>
    private static float[][] PerPoster(float[] output, int n, bool flip)
    {
        var width = output.Length / (flip ? 2 * n : n);
        var result = new float[n][];
        for (var i = 0; i < n; i++)
        {
            result[i] = output.AsSpan(i * width, width).ToArray();
            if (flip)
            {
                for (var j = 0; j < width; j++)
                {
                    result[i][j] = 0.5f * (result[i][j] + output[(n + i) * width + j]);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Marks a caller that is about to predict (a request, from before it decodes its posters
    /// until it has its answer). With <see cref="OnnxSessionSettings.UseAllCoresWhenAlone"/>, a run
    /// takes every core only while it serves the one caller marked, so under concurrent requests
    /// every run keeps to its threads.
    /// </summary>
    public Caller BeginCall()
    {
        Interlocked.Increment(ref callers);
        return new Caller(this);
    }

    /// <summary>Ends a <see cref="BeginCall"/> when disposed.</summary>
    public readonly struct Caller(GenreModel model) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref model.callers);
    }

    public void Dispose()
    {
        workers.Dispose();
        foreach (var session in sessions)
        {
            session.Dispose();
        }

        lone?.Dispose();

        sessionSlots.Dispose();
        NativeHeap.ReturnFreeMemory();
    }

    private float[][] Run(float[] input, int rows, string[] outputNames)
    {
        // A run that starts while none is running, for the only caller about, may take every core
        // (UseAllCoresWhenAlone).
        var alone = Interlocked.Increment(ref running) == 1 && Volatile.Read(ref callers) <= 1;
        try
        {
            if (alone && lone is not null)
            {
                return RunOn(lone, input, rows, outputNames);
            }

            // One session is shared: ONNX Runtime allows concurrent Run calls on it. A pool of
            // several gives each run a session of its own.
            if (sessions.Length == 1)
            {
                return RunOn(sessions[0], input, rows, outputNames);
            }

            sessionSlots.Wait();
            idle.TryDequeue(out var session);
            try
            {
                return RunOn(session!, input, rows, outputNames);
            }
            finally
            {
                idle.Enqueue(session!);
                sessionSlots.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    private float[][] RunOn(InferenceSession session, float[] input, int rows, string[] outputNames)
    {
        var spec = Manifest.Preprocessing;
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [rows, 3, spec.Height, spec.Width]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [tensor], outputNames);
        return [.. outputs.Select(o => o.GetTensorDataAsSpan<float>().ToArray())];
    }

    private void ValidateShapes(NodeMetadata input, NodeMetadata output)
    {
        var spec = Manifest.Preprocessing;
        var dims = input.Dimensions;
        if (dims.Length != 4 || dims[1] != 3 || dims[2] != spec.Height || dims[3] != spec.Width)
        {
            throw new InvalidDataException(
                $"Model file '{ModelPath}' takes input [{string.Join(",", dims)}] but its manifest describes [N,3,{spec.Height},{spec.Width}].");
        }

        if (output.Dimensions.Length != 2 || output.Dimensions[1] != GenreCount)
        {
            throw new InvalidDataException(
                $"Model file '{ModelPath}' outputs [{string.Join(",", output.Dimensions)}] but its manifest lists {GenreCount} genres.");
        }
    }

    private void CheckLengths(IReadOnlyList<float[]> posters)
    {
        if (posters.FirstOrDefault(p => p.Length != Manifest.Preprocessing.TensorLength) is { } wrong)
        {
            throw new ArgumentException($"A poster has {wrong.Length} values; the model takes {Manifest.Preprocessing.TensorLength}.", nameof(posters));
        }
    }

    private void ValidateEmbedding(IReadOnlyDictionary<string, NodeMetadata> outputs, string name, int? length)
    {
        if (!outputs.TryGetValue(name, out var output))
        {
            throw new InvalidDataException($"Model file '{ModelPath}' has no output '{name}', the embedding its manifest names (outputs: {string.Join(", ", outputs.Keys)}).");
        }

        if (output.Dimensions.Length != 2 || length is not > 0 || output.Dimensions[1] != length)
        {
            throw new InvalidDataException(
                $"Model file '{ModelPath}' outputs embeddings [{string.Join(",", output.Dimensions)}] but its manifest says {length?.ToString() ?? "no"} values per poster.");
        }
    }

    private static SessionOptions CreateOptions(OnnxSessionSettings settings, bool spinning = true)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = settings.GraphOptimization switch
            {
                OnnxGraphOptimization.Disabled => GraphOptimizationLevel.ORT_DISABLE_ALL,
                OnnxGraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OnnxGraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
        };
        if (!spinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        return options;
    }
}
