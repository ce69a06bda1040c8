using PosterGenre.Inference;

namespace PosterGenre.Inference.Tests;

/// <summary>The model's inference threads: work runs only on them, no more at once than there are threads, oldest first, and a failure fails only its own work.</summary>
public sealed class InferenceWorkersTests
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");

    [Fact]
    public async Task WorkRunsOnlyOnTheWorkersThreadsAndNeverMoreAtOnceThanThreads()
    {
        using var workers = new InferenceWorkers(count: 2, name: "test");
        var runThreads = new HashSet<int>();
        var running = 0;
        var most = 0;

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => workers.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            lock (runThreads)
            {
                runThreads.Add(Environment.CurrentManagedThreadId);
                most = Math.Max(most, now);
                Assert.StartsWith("test inference ", Thread.CurrentThread.Name);
            }

            Thread.Sleep(1);
            Interlocked.Decrement(ref running);
            return i;
        }))));

        Assert.Equal(Enumerable.Range(0, 64), answers);
        Assert.InRange(runThreads.Count, 1, 2);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task QueuedWorkRunsOldestFirst()
    {
        using var workers = new InferenceWorkers(count: 1, name: "test");
        using var gate = new ManualResetEventSlim();
        var order = new List<int>();
        var first = workers.RunAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));
        var queued = Enumerable.Range(0, 5).Select(i => workers.RunAsync(() =>
        {
            order.Add(i);
            return i;
        })).ToArray();
        SpinWait.SpinUntil(() => workers.Queued == 5, TimeSpan.FromSeconds(10));
        gate.Set();

        await Task.WhenAll(queued);

        Assert.True(await first);
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task WorkThatFailsFailsAloneAndTheNextRuns()
    {
        using var workers = new InferenceWorkers(count: 1, name: "test");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => workers.RunAsync<int>(() => throw new InvalidOperationException("run failed")));

        Assert.Equal("run failed", e.Message);
        Assert.Equal(2, workers.Run(() => 2));
    }

    [Fact]
    public async Task WorkQueuedFromAWorkerThreadRunsThereRatherThanWaitingForItself()
    {
        using var workers = new InferenceWorkers(count: 1, name: "test");

        var (outer, inner) = await workers.RunAsync(() => (Environment.CurrentManagedThreadId, workers.Run(() => Environment.CurrentManagedThreadId)));

        Assert.Equal(outer, inner);
    }

    [Fact]
    public async Task DisposingRunsWhatIsQueuedAndRefusesLaterWork()
    {
        using var gate = new ManualResetEventSlim();
        var workers = new InferenceWorkers(count: 1, name: "test");
        var first = workers.RunAsync(() => gate.Wait(TimeSpan.FromSeconds(30)));
        var queued = workers.RunAsync(() => 2);
        SpinWait.SpinUntil(() => workers.Queued == 1, TimeSpan.FromSeconds(10));

        var disposing = Task.Run(workers.Dispose);
        SpinWait.SpinUntil(() => disposing.IsCompleted, 200);
        Assert.False(disposing.IsCompleted, "Dispose returned while work was still running");
        gate.Set();
        await disposing;

        Assert.True(await first);
        Assert.Equal(2, await queued);
        Assert.Throws<ObjectDisposedException>(() => workers.Run(() => 3));
    }

    [Fact]
    public async Task ARealModelGivesEveryConcurrentCallerTheRowsItGetsAlone()
    {
        using var model = GenreModel.Load(Model, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = 2 });
        var random = new Random(5);
        var posters = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, model.Preprocessor.Spec.TensorLength).Select(_ => (float)random.NextDouble() * 100).ToArray()).ToArray();
        var requests = Enumerable.Range(0, 48).Select(i => i % 3 == 0 ? new[] { posters[i % 6], posters[(i + 1) % 6] } : [posters[i % 6]]).ToArray();
        var alone = requests.Select(r => model.Predict(r)).ToArray();

        var concurrent = await Task.WhenAll(requests.Select(r => model.OnInferenceThreadAsync(() => model.Predict(r))));

        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[i].Length, concurrent[i].Length);
            for (var k = 0; k < alone[i].Length; k++)
            {
                Assert.Equal(alone[i][k], concurrent[i][k]);
            }
        }
    }
}
