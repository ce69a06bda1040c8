namespace PosterGenre.Inference;

/// <summary>
/// The threads that run a model: a fixed set of dedicated threads, one per inference slot, take
/// queued work oldest first. Only these threads ever enter ONNX Runtime, so its per-thread working
/// memory is held by the same few threads for the model's life, and a caller can hand over a
/// whole poster's work (decode, resize, inference) so that no more posters are worked on at once
/// than there are threads: the floor's shape (docs/performance.md, docs/reliability.md).
/// </summary>
internal sealed class InferenceWorkers : IDisposable
{
    [ThreadStatic]
    private static InferenceWorkers? current;

    private readonly Queue<Action> queue = new();
    private readonly Thread[] threads;
    private bool stopping;

    /// <param name="count">Threads, so pieces of work at once.</param>
    /// <param name="name">Names the threads (for debuggers and <c>/proc</c>).</param>
    public InferenceWorkers(int count, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        threads = [.. Enumerable.Range(0, count).Select(i => new Thread(Work) { IsBackground = true, Name = $"{name} inference {i}" })];
        foreach (var thread in threads)
        {
            thread.Start();
        }
    }

    /// <summary>Work queued and not yet taken by a thread.</summary>
    internal int Queued
    {
        get
        {
            lock (queue)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on one of the threads, when one is free; at once if called from one of them.</summary>
    /// <exception cref="ObjectDisposedException">The model was disposed before the work was queued.</exception>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        if (current == this)
        {
            return Task.FromResult(work());
        }

        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            try
            {
                result.TrySetResult(work());
            }
            catch (Exception e)
            {
                result.TrySetException(e);
            }
        });
        return result.Task;
    }

    /// <summary><see cref="RunAsync"/>, waited for.</summary>
    public T Run<T>(Func<T> work) => current == this ? work() : RunAsync(work).GetAwaiter().GetResult();

    /// <summary>Lets the queued work run, then ends the threads.</summary>
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

    private void Enqueue(Action work)
    {
        lock (queue)
        {
            ObjectDisposedException.ThrowIf(stopping, this);
            queue.Enqueue(work);
            Monitor.Pulse(queue);
        }
    }

    private void Work()
    {
        current = this;
        while (Take() is { } work)
        {
            work();
        }
    }

    /// <summary>Waits for queued work and takes the oldest; none once stopping and drained.</summary>
    private Action? Take()
    {
        lock (queue)
        {
            while (queue.Count == 0 && !stopping)
            {
                Monitor.Wait(queue);
            }

            return queue.Count > 0 ? queue.Dequeue() : null;
        }
    }
}
