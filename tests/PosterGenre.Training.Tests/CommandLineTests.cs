using PosterGenre.Training.Commands;
namespace PosterGenre.Training.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("32,64,128,208,208", new long[] { 32, 64, 128, 208, 208 })]
    [InlineData(" 16, 32 ,64", new long[] { 16, 32, 64 })]
    [InlineData("16,32", null)]
    [InlineData("16,0,64", null)]
    [InlineData("16,-2,64", null)]
    [InlineData("16,x,64", null)]
    [InlineData("", null)]
    public void ChannelsParseOnlyAsThreeOrMorePositiveWidths(string text, long[]? expected) =>
        Assert.Equal(expected, TrainCommand.ParseChannels(text));

    [Theory]
    [InlineData("224", "336", true)]
    [InlineData("192", "300", true)]
    [InlineData("224", "320", false)]
    [InlineData("192", "288", false)]
    public void AResNetInputMustHalveFiveTimesEvenly(string width, string height, bool refused)
    {
        var parse = new System.CommandLine.RootCommand { TrainCommand.Create([]) }
            .Parse(["train", "--data", "posters", "--out", "run", "--arch", "resnet18-imagenet", "--width", width, "--height", height]);

        Assert.Equal(refused, parse.Errors.Any(e => e.Message.Contains("multiples of 32")));
    }

    [Theory]
    [InlineData("--channels", "16,x,64")]
    [InlineData("--arch", "seed-baseline", "--channels", "16,32,64")]
    [InlineData("--convs", "1,2,1")]
    [InlineData("--convs", "1,1,0,1,1")]
    [InlineData("--convs", "1,1,5,1,1")]
    [InlineData("--arch", "seed-baseline", "--convs", "1,1,1,1")]
    [InlineData("--train-fraction", "0")]
    [InlineData("--train-fraction", "1.5")]
    [InlineData("--mixup", "-1")]
    [InlineData("--ema", "1")]
    [InlineData("--zoom", "0.9")]
    [InlineData("--pos-weight", "half")]
    [InlineData("--refit", "/nonexistent/run")]
    [InlineData("--refit", "/tmp", "--split", "/tmp/split.csv")]
    [InlineData("--teacher", "/nonexistent/model.onnx")]
    [InlineData("--distill", "0.5")]
    [InlineData("--repeat-threshold", "2")]
    [InlineData("--cutmix", "-1")]
    [InlineData("--cutmix", "1", "--mixup", "0.2")]
    [InlineData("--label-smoothing", "1")]
    [InlineData("--label-smoothing", "-0.1")]
    [InlineData("--arch", "resnet18-imagenet", "--init-from", "/nonexistent/resnet.onnx")]
    [InlineData("--init-from", "/etc/hostname")]
    [InlineData("--arch", "resnet18-imagenet", "--first-trainable-stage", "6")]
    public void BadTrainingOptionsAreRefusedBeforeAnythingRuns(params string[] options)
    {
        // A valid dataset and a quick recipe: without the check, this would train and write output.
        using var data = SyntheticDataset.Create(20);
        var output = Path.Combine(Path.GetTempPath(), $"postergenre-never-{Guid.NewGuid():N}");

        var exit = Program.Main(["train", "--data", data.Root, "--out", output, "--epochs", "1", "--max-batches", "1", "--width", "32", "--height", "48", .. options]);

        Assert.NotEqual(0, exit);
        Assert.False(Directory.Exists(output), "a refused command should not create its output folder");
    }

    [Fact]
    public void TheSameQuickRunWithGoodOptionsTrains()
    {
        using var data = SyntheticDataset.Create(20);
        var output = Directory.CreateTempSubdirectory("postergenre-cli-").FullName;
        try
        {
            var exit = Program.Main(["train", "--data", data.Root, "--out", output, "--epochs", "1", "--max-batches", "1", "--width", "32", "--height", "48", "--channels", "8,16,32", "--convs", "1,2,1", "--mixup", "0.2", "--ema", "0.9", "--pos-weight", "full", "--repeat-threshold", "0.3", "--threads", "1"]);

            Assert.Equal(0, exit);
            Assert.True(File.Exists(Path.Combine(output, "poster-genre.onnx")));
            var manifest = PosterGenre.Inference.ModelManifest.Load(Path.Combine(output, "poster-genre.json"));
            Assert.Contains("--convs 1,2,1", manifest.TrainingCommand);
            Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Theory]
    [InlineData("-1", 1)]
    [InlineData("100001", 1)]
    [InlineData("10", 2)]
    public void EvaluateRefusesAnImpossibleBootstrapBeforeLookingForTheModel(string samples, int expectedExit)
    {
        // 1: refused while parsing; 2: parsed, then the missing model is the error.
        var exit = Program.Main(["evaluate", "--model", "/nonexistent/model.onnx", "--data", "/nonexistent/posters", "--bootstrap", samples]);

        Assert.Equal(expectedExit, exit);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void EvaluateEnsembleNeedsTwoModels(int models, int expectedExit)
    {
        // 1: refused while parsing; 2: parsed, then the missing model is the error.
        var exit = Program.Main(["evaluate", .. Enumerable.Repeat(new[] { "--model", "/nonexistent/model.onnx" }, models).SelectMany(m => m), "--data", "/nonexistent/posters", "--ensemble"]);

        Assert.Equal(expectedExit, exit);
    }

    [Fact]
    public void CalibrateNamesAMissingModelInOneLineInsteadOfAStackTrace()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            var exit = Program.Main(["calibrate", "--model", "/nonexistent/model.onnx", "--data", "/nonexistent/posters", "--out", "/nonexistent/out"]);

            Assert.Equal(2, exit);
        }
        finally
        {
            Console.SetError(previous);
        }

        // Other tests may write to the console at the same time: look for the line, not the whole text.
        Assert.Contains("error: Model manifest '/nonexistent/model.json' cannot be read", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString());
    }
}
