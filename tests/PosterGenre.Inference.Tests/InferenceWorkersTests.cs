using PosterGenre.Inference;

namespace PosterGenre.Inference.Tests;

/// <summary>The model's inference threads: runs only on them; dynamic batching, where concurrent callers share runs, each gets its own rows back, and none is left waiting.</summary>
public sealed class InferenceWorkersTests
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");

    [Fact]
    public async Task CallersWaitingForASlotShareOneRunAndEachGetsItsOwnRows()
    {
        var runs = new List<int>();
        using var gate = new ManualResetEventSlim();
        // Each "poster" is one number; the run answers each with that number doubled, after the gate opens.
        using var workers = new InferenceWorkers(maxBatch: 64, count: 1, name: "test", run: posters =>
        {
            lock (runs)
            {
                runs.Add(posters.Count);
            }

            gate.Wait();
            return [.. posters.Select(p => new[] { 2 * p[0] })];
        });
        var first = OnItsOwnThread(() => workers.Predict([[0f]]));
        SpinWait.SpinUntil(() => runs.Count == 1);
        var waiting = Enumerable.Range(1, 10).Select(i => OnItsOwnThread(() => workers.Predict([[i], [100 + i]]))).ToArray();
        SpinWait.SpinUntil(() => workers.QueuedCalls == 10);
        gate.Set();

        var answers = await Task.WhenAll(waiting);

        Assert.Equal(0f, (await first)[0][0]);
        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal([2f * i, 2f * (100 + i)], answers[i - 1].Select(r => r[0]));
        }

        // The first call ran alone; the ten that queued behind it ran in far fewer runs than ten.
        Assert.Equal(1, runs[0]);
        Assert.Equal(20, runs.Skip(1).Sum());
        Assert.True(runs.Count - 1 < 10, $"runs after the first: {string.Join(", ", runs.Skip(1))}");
    }

    [Fact]
    public async Task ARunIsNeverLargerThanTheBatchUnlessOneCallIs()
    {
        var runs = new List<int>();
        using var gate = new ManualResetEventSlim();
        using var workers = new InferenceWorkers(maxBatch: 4, count: 1, name: "test", run: posters =>
        {
            lock (runs)
            {
                runs.Add(posters.Count);
            }

            gate.Wait();
            return [.. posters.Select(p => p)];
        });
        var first = OnItsOwnThread(() => workers.Predict([[0f]]));
        SpinWait.SpinUntil(() => runs.Count == 1);
        var calls = Enumerable.Range(0, 9).Select(i => OnItsOwnThread(() => workers.Predict([[i]])))
            .Append(OnItsOwnThread(() => workers.Predict([.. Enumerable.Range(0, 6).Select(i => new[] { (float)i })]))).ToArray();
        SpinWait.SpinUntil(() => workers.QueuedCalls == 10);
        gate.Set();

        await Task.WhenAll(calls.Append(first));

        // The six-poster call runs alone; every other run holds at most four.
        Assert.Equal(16, runs.Sum());
        Assert.Single(runs, 6);
        Assert.All(runs.Where(r => r != 6), r => Assert.True(r <= 4, $"a run of {r}"));
    }

    [Fact]
    public async Task RunsHappenOnlyOnTheWorkersOwnThreads()
    {
        var runThreads = new HashSet<int>();
        var callerThreads = new HashSet<int>();
        using var workers = new InferenceWorkers(maxBatch: 1, count: 2, name: "test", run: posters =>
        {
            lock (runThreads)
            {
                runThreads.Add(Environment.CurrentManagedThreadId);
                Assert.StartsWith("test inference ", Thread.CurrentThread.Name);
            }

            Thread.Sleep(1);
            return [.. posters];
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => OnItsOwnThread(() =>
        {
            lock (callerThreads)
            {
                callerThreads.Add(Environment.CurrentManagedThreadId);
            }

            return workers.Predict([[i]]);
        })));

        Assert.Equal(Enumerable.Range(0, 64).Select(i => (float)i), answers.Select(a => a[0][0]));
        Assert.InRange(runThreads.Count, 1, 2);
        Assert.Empty(runThreads.Intersect(callerThreads));
    }

    [Fact]
    public async Task DisposingRunsWhatIsQueuedAndRefusesLaterCalls()
    {
        using var gate = new ManualResetEventSlim();
        var workers = new InferenceWorkers(maxBatch: 1, count: 1, name: "test", run: posters =>
        {
            gate.Wait();
            return [.. posters];
        });
        var first = OnItsOwnThread(() => workers.Predict([[1f]]));
        var queued = OnItsOwnThread(() => workers.Predict([[2f]]));
        SpinWait.SpinUntil(() => workers.QueuedCalls == 1);

        var disposing = Task.Run(workers.Dispose);
        SpinWait.SpinUntil(() => disposing.IsCompleted, 200);
        Assert.False(disposing.IsCompleted, "Dispose returned while a run was still going");
        gate.Set();
        await disposing;

        Assert.Equal(1f, (await first)[0][0]);
        Assert.Equal(2f, (await queued)[0][0]);
        Assert.Throws<ObjectDisposedException>(() => workers.Predict([[3f]]));
    }

    /// <summary>A blocking call on a thread of its own: the thread pool starts its threads too slowly for these tests.</summary>
    private static Task<float[][]> OnItsOwnThread(Func<float[][]> call) => Task.Factory.StartNew(call, TaskCreationOptions.LongRunning);

    [Fact]
    public async Task AFailedRunFailsEveryCallInItAndTheNextRunsWork()
    {
        var fail = true;
        using var workers = new InferenceWorkers(maxBatch: 8, count: 1, name: "test", run: posters => fail ? throw new InvalidOperationException("run failed") : [.. posters]);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(() => workers.Predict([[1f]])));
        fail = false;

        Assert.Equal("run failed", e.Message);
        Assert.Equal(2f, workers.Predict([[2f]])[0][0]);
    }

    [Fact]
    public async Task ARealModelGivesEveryConcurrentCallerTheRowsItGetsAlone()
    {
        using var alone = GenreModel.Load(Model, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = 2 });
        using var batched = GenreModel.Load(Model, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = 2, MaxBatch = 8 });
        var random = new Random(5);
        var posters = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, alone.Preprocessor.Spec.TensorLength).Select(_ => (float)random.NextDouble() * 100).ToArray()).ToArray();
        var requests = Enumerable.Range(0, 48).Select(i => i % 3 == 0 ? new[] { posters[i % 6], posters[(i + 1) % 6] } : [posters[i % 6]]).ToArray();

        var answers = await Task.WhenAll(requests.Select(r => Task.Run(() => batched.Predict(r))));

        for (var i = 0; i < requests.Length; i++)
        {
            var expected = alone.Predict(requests[i]);
            Assert.Equal(expected.Length, answers[i].Length);
            for (var k = 0; k < expected.Length; k++)
            {
                Assert.Equal(expected[k], answers[i][k], (a, b) => Math.Abs(a - b) < 1e-5f);
            }
        }
    }
}
