using System.Diagnostics;
using PosterGenre.Training.Commands;
using PosterGenre.Training.Fitting;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

public class NumericsTests
{
    [Fact]
    public void TheCheckFindsAndNamesAConvolutionThatIsWrongForSomeChannelCounts()
    {
        // Wrong as oneDNN's AVX-512 kernels are on a Zen 5 CPU: only with 24 input channels, by 1%.
        static Tensor Wrong(Tensor x, Tensor w)
        {
            var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            return x.shape[1] == 24 ? y.mul(1.01) : y;
        }

        var cases = ConvolutionCheck.Run(Wrong);

        var wrong = cases.Where(c => !c.IsRight).Select(c => c.Name).ToArray();
        Assert.Equal(["conv 24->16 at 12x12", "conv 24->16 at 12x12 input gradient", "conv 24->16 at 12x12 weight gradient"], wrong);
        Assert.StartsWith("wrong: 3 of ", ConvolutionCheck.Describe(cases));
        Assert.Contains("conv 24->16 at 12x12", ConvolutionCheck.Describe(cases));
    }

    [Fact]
    public void ANonFiniteResultIsWrong()
    {
        var cases = ConvolutionCheck.Run((x, w) => nn.functional.conv2d(x, w, padding: [1, 1]).mul(x.shape[1] == 40 ? double.NaN : 1));

        Assert.All(cases.Where(c => c.Name.StartsWith("conv 40->48", StringComparison.Ordinal)), c => Assert.False(c.IsRight));
        Assert.Equal(3, cases.Count(c => !c.IsRight));
    }

    [Fact]
    public void LibTorchIsRightInThisProcessAfterTheGuard()
    {
        Assert.Null(NumericsSetUp.Error);

        var cases = ConvolutionCheck.Run();

        Assert.All(cases, c => Assert.True(c.IsRight, $"{c.Name}: {c.Error:E2}"));
    }

    [Fact]
    public void ACapReachesOneDnnAsItsVerboseOutputReportsIt()
    {
        var uncapped = OneDnnIsa(null);
        var capped = OneDnnIsa("AVX2");

        // oneDNN names the widest instruction set it will use, e.g. "Intel AVX-512 with ..." or "Intel AVX2".
        Assert.Equal("Intel AVX2", capped);
        Assert.StartsWith("Intel AVX", uncapped, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckNumericsExitsWithZeroWhenEveryCaseIsRight()
    {
        var log = new StringWriter();

        var exit = CheckNumericsCommand.Execute(log);

        // This process runs under the guard's cap, so every case is right here.
        Assert.Equal(0, exit);
        Assert.Contains("right: 0 of ", log.ToString());
    }

    [Fact]
    public void ATrainingLossThatIsNotFiniteStopsTheRunAndNamesTheStep()
    {
        using var data = SyntheticDataset.Create(48);
        var output = Directory.CreateTempSubdirectory("postergenre-nan-").FullName;
        var options = SyntheticDataset.TinyRun(data.Root, output);
        options = options with { Profile = options.Profile with { LearningRate = 1e30 } };

        var e = Assert.Throws<NumericsException>(() => TrainCommand.Execute(options, TextWriter.Null));

        Assert.Matches(@"the training loss is (NaN|-?∞|-?Infinity) at epoch 1, batch \d+ of \d+ \(step \d+\)", e.Message);
        Assert.False(File.Exists(Path.Combine(output, "tiny.onnx")));
    }

    /// <summary>The instruction set oneDNN reports (ONEDNN_VERBOSE) in a <c>check-numerics</c> child process under a cap.</summary>
    private static string OneDnnIsa(string? cap)
    {
        var start = NumericsGuard.CheckNumericsProcess(cap);
        start.Environment["ONEDNN_VERBOSE"] = "1";
        using var child = Process.Start(start)!;
        _ = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').First(l => l.Contains(",info,cpu,isa:", StringComparison.Ordinal));
        return line[(line.IndexOf("isa:", StringComparison.Ordinal) + 4)..].Trim();
    }
}
