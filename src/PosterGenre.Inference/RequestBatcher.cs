namespace PosterGenre.Inference;

/// <summary>
/// Dynamic batching across callers, as Triton and TorchServe do it, without a timer: each call
/// queues its posters and then takes an inference slot; whoever holds a slot runs what is queued
/// (its fair share of it across the slots, up to the batch size) in one run and hands every caller
/// its rows. A caller whose posters another ran just collects them. Every call runs the queue once
/// after queueing, so nothing is left behind, and a lone call runs at once.
/// </summary>
internal sealed class RequestBatcher(int maxBatch, int slots, Func<IReadOnlyList<float[]>, float[][]> run) : IDisposable
{
    private readonly Queue<Pending> queue = new();
    private readonly SemaphoreSlim free = new(slots, slots);
    private int queuedPosters;

    public float[][] Predict(IReadOnlyList<float[]> posters)
    {
        var mine = new Pending(posters);
        lock (queue)
        {
            queue.Enqueue(mine);
            queuedPosters += posters.Count;
        }

        free.Wait();
        try
        {
            RunQueued();
        }
        finally
        {
            free.Release();
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

    public void Dispose() => free.Dispose();

    private void RunQueued()
    {
        var batch = new List<Pending>();
        lock (queue)
        {
            var share = Math.Min(maxBatch, Math.Max(1, (queuedPosters + slots - 1) / slots));
            var taken = 0;
            while (queue.Count > 0 && (taken == 0 || taken + queue.Peek().Posters.Count <= share))
            {
                var next = queue.Dequeue();
                taken += next.Posters.Count;
                batch.Add(next);
            }

            queuedPosters -= taken;
        }

        if (batch.Count == 0)
        {
            return;
        }

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
