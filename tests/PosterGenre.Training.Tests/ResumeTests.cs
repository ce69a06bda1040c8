using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>An interrupted <c>train</c> continues with <c>--resume</c> from its last finished epoch.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string whole = Directory.CreateTempSubdirectory("postergenre-whole-").FullName;
    private readonly string interrupted = Directory.CreateTempSubdirectory("postergenre-resumed-").FullName;

    [Fact]
    public void AnInterruptedRunResumesOnTheSameScheduleAndFinishes()
    {
        using var data = SyntheticDataset.Create(90);
        Assert.Equal(0, TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, whole, epochs: 3), TextWriter.Null));

        var stop = new StringWriter();
        var stopped = TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, interrupted, epochs: 3) with { StopAfterEpoch = 1 }, stop);

        Assert.Equal(TrainCommand.Stopped, stopped);
        Assert.Contains("stopped after epoch 1 of 3; continue with the same command and --resume", stop.ToString());
        Assert.False(File.Exists(Path.Combine(interrupted, "tiny.onnx")));
        // Epoch 1 is the best so far, so the weights kept for resuming are the checkpoint's.
        Assert.Equal(File.ReadAllBytes(Path.Combine(interrupted, Trainer.CheckpointName)), File.ReadAllBytes(Path.Combine(interrupted, ResumeState.Folder, "epoch-1", "weights.bin")));
        Assert.True(File.Exists(Path.Combine(interrupted, ResumeState.Folder, "epoch-1", "optimizer.bin")));

        var resume = new StringWriter();
        var resumed = TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, interrupted, epochs: 3) with { Resume = true }, resume);

        Assert.Equal(0, resumed);
        Assert.Contains("resuming after epoch 1 of 3", resume.ToString());
        Assert.True(File.Exists(Path.Combine(interrupted, "tiny.onnx")));
        Assert.False(Directory.Exists(Path.Combine(interrupted, ResumeState.Folder)), "a finished run leaves no resume state");
        var (a, b) = (History(whole), History(interrupted));
        Assert.Equal(3, b.Length);
        // The history runs on from epoch 1, and the learning-rate schedule continues where it
        // stopped instead of starting over: epoch by epoch the same rates as without a stop.
        // (Losses are not compared: TorchSharp's random generator is shared with the tests that
        // run alongside.)
        Assert.Equal(["1", "2", "3"], b.Select(r => r[0]));
        Assert.Equal(a.Select(r => r[4]), b.Select(r => r[4]));
    }

    [Fact]
    public void ResumingWithoutAnInterruptedRunOrWithAnotherRecipeIsRefused()
    {
        using var data = SyntheticDataset.Create(90);

        var none = Assert.Throws<ArgumentException>(() => TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, interrupted, epochs: 3) with { Resume = true }, TextWriter.Null));
        Assert.Contains("holds no interrupted run", none.Message);

        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, interrupted, epochs: 3) with { StopAfterEpoch = 1 }, TextWriter.Null);
        var other = Assert.Throws<ArgumentException>(() => TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, interrupted, epochs: 4) with { Resume = true }, TextWriter.Null));
        Assert.Contains("the interrupted run had 3 epochs, now 4", other.Message);
    }

    private static string[][] History(string run) =>
        [.. File.ReadAllLines(Path.Combine(run, "history.csv")).Skip(1).Select(l => l.Split(','))];

    public void Dispose()
    {
        Directory.Delete(whole, recursive: true);
        Directory.Delete(interrupted, recursive: true);
    }
}
