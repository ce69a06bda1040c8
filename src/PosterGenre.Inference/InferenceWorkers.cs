namespace PosterGenre.Inference;

/// <summary>
/// The threads that run a model: a fixed set of dedicated threads, one per inference slot, take
/// the queued calls oldest first. Only these threads ever enter ONNX Runtime, so its per-thread
/// working memory is held by the same few threads for the model's life (request threads come and
/// go with the thread pool; docs/reliability.md). With a batch above 1 this is also dynamic
/// batching across callers, as Triton and TorchServe do it, without a timer: a free thread runs
/// what is queued (its fair share of it across the threads, up to the batch) in one run and hands
/// every caller its rows, so a lone call runs at once.
/// </summary>
internal sealed class InferenceWorkers : IDisposable
{
    private readonly Queue<Pending> queue = new();
    private readonly int maxBatch;
    private readonly Func<IReadOnlyList<float[]>, float[][]> run;
    private readonly Thread[] threads;
    private int queuedPosters;
    private bool stopping;

    /// <param name="maxBatch">At most this many posters in one run, unless one call alone has more.</param>
    /// <param name="count">Threads, so runs at once.</param>
    /// <param name="run">One run over the posters given, a row of probabilities per poster.</param>
    /// <param name="name">Names the threads (for debuggers and <c>/proc</c>).</param>
    public InferenceWorkers(int maxBatch, int count, Func<IReadOnlyList<float[]>, float[][]> run, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        this.maxBatch = maxBatch;
        this.run = run;
        threads = [.. Enumerable.Range(0, count).Select(i => new Thread(Work) { IsBackground = true, Name = $"{name} inference {i}" })];
        foreach (var thread in threads)
        {
            thread.Start();
        }
    }

    /// <summary>Queues the posters and waits for their rows.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call ran.</exception>
    public float[][] Predict(IReadOnlyList<float[]> posters)
    {
        var mine = new Pending(posters);
        lock (queue)
        {
            ObjectDisposedException.ThrowIf(stopping, this);
            queue.Enqueue(mine);
            queuedPosters += posters.Count;
            Monitor.Pulse(queue);
        }

        return mine.Wait();
    }

    /// <summary>Calls queued and not yet taken by a run.</summary>
    internal int QueuedCalls
    {
        get
        {
            lock (queue)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>Lets the queued calls run, then ends the threads.</summary>
    public void Dispose()
    {
        lock (queue)
        {
            stopping = true;
            Monitor.PulseAll(queue);
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    private void Work()
    {
        while (Take() is { Count: > 0 } batch)
        {
            Run(batch);
        }
    }

    /// <summary>Waits for queued calls and takes this thread's share of them; none once stopping and drained.</summary>
    private List<Pending> Take()
    {
        var batch = new List<Pending>();
        lock (queue)
        {
            while (queue.Count == 0 && !stopping)
            {
                Monitor.Wait(queue);
            }

            var share = Math.Min(maxBatch, Math.Max(1, (queuedPosters + threads.Length - 1) / threads.Length));
            var taken = 0;
            while (queue.Count > 0 && (taken == 0 || taken + queue.Peek().Posters.Count <= share))
            {
                var next = queue.Dequeue();
                taken += next.Posters.Count;
                batch.Add(next);
            }

            queuedPosters -= taken;
        }

        return batch;
    }

    private void Run(List<Pending> batch)
    {
        try
        {
            var rows = run(batch.Count == 1 ? batch[0].Posters : [.. batch.SelectMany(p => p.Posters)]);
            var at = 0;
            foreach (var pending in batch)
            {
                pending.Complete(rows[at..(at + pending.Posters.Count)]);
                at += pending.Posters.Count;
            }
        }
        catch (Exception e)
        {
            batch.ForEach(p => p.Fail(e));
        }
    }

    private sealed class Pending(IReadOnlyList<float[]> posters)
    {
        private readonly TaskCompletionSource<float[][]> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<float[]> Posters { get; } = posters;

        public void Complete(float[][] rows) => result.TrySetResult(rows);

        public void Fail(Exception e) => result.TrySetException(e);

        public float[][] Wait() => result.Task.GetAwaiter().GetResult();
    }
}
