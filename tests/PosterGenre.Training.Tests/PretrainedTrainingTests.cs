using PosterGenre.Inference;
using PosterGenre.Training.Models;
using PosterGenre.Training.Fitting;
using TorchSharp;
using static TorchSharp.torch;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>
/// resnet18-imagenet end to end on a tiny dataset: the head trains alone first, the stages before
/// the first trainable one keep their ImageNet weights, and the export (float16 weights) records
/// where its weights came from.
/// </summary>
public sealed class PretrainedTrainingTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("postergenre-pretrained-").FullName;

    [Fact]
    public void FineTuningKeepsFrozenStagesAndExportsAHalfSizeModelThatSaysWhereItStarted()
    {
        using var data = SyntheticDataset.Create(60);
        var log = new StringWriter();
        var options = SyntheticDataset.TinyRun(data.Root, output, "resnet", epochs: 2) with
        {
            Profile = Recipe.For("resnet18-imagenet") with { Width = 64, Height = 96, Epochs = 2, BatchSize = 16, HeadEpochs = 1, FirstTrainableStage = 4 },
            MaxBatches = 2,
        };

        Assert.Equal(0, TrainCommand.Execute(options, log));

        var manifest = ModelManifest.Load(Path.Combine(output, "resnet.json"));
        Assert.Equal("resnet18-imagenet", manifest.Architecture);
        Assert.Equal(PretrainedFiles.Package, manifest.StartedFrom!.Package);
        Assert.Equal("e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f", manifest.StartedFrom.Sha256);
        Assert.Equal(1 / 255f, manifest.Preprocessing.Std[0], 1e-6f);
        Assert.Equal("none", manifest.TestTimeAugmentation);
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
        Assert.Contains("float16 weights", log.ToString());
        // The pooled features as a second output, checked against TorchSharp's like the probabilities.
        Assert.Equal(("embedding", 512), (manifest.EmbeddingName, manifest.EmbeddingLength));
        var parity = System.Text.RegularExpressions.Regex.Match(log.ToString(), @", embedding (\S+) \(tolerance");
        Assert.True(parity.Success, "the export check did not report the embedding's parity");
        Assert.InRange(double.Parse(parity.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, TrainCommand.ParityTolerance);
        using (var model = GenreModel.Load(Path.Combine(output, "resnet.onnx")))
        {
            Assert.True(model.CanEmbed);
        }
        // 11.6 M parameters at 2 bytes each, and nothing of the float32 export left beside it.
        Assert.InRange(new FileInfo(Path.Combine(output, "resnet.onnx")).Length, 20e6, 35e6);
        Assert.False(File.Exists(Path.Combine(output, "resnet.fp32.onnx")));

        // Stages 0-3 are ImageNet's still; stage 4 and the head moved.
        var trained = new PretrainedResNet(PretrainedFiles.ResNet18, 5, 96, 64, 0.3);
        trained.load(Path.Combine(output, "checkpoint.bin"));
        var original = OnnxTrunk.Load(PretrainedFiles.ResNet18, globalFinalPool: true);
        original.ReverseInputChannels();
        var frozen = original.ParametersBefore(4).Select(p => p.Handle).ToHashSet();
        var pairs = original.parameters().Zip(trained.TrunkParameters).ToArray();
        // Convolution + BatchNorm pairs (3 parameters each): the stem, 4 in stage 1, 5 in stages 2 and 3 (with their shortcut).
        Assert.Equal(3 * 15, frozen.Count);
        Assert.All(pairs.Where(p => frozen.Contains(p.First.Handle)), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "a frozen stage changed"));
        Assert.Contains(pairs.Where(p => !frozen.Contains(p.First.Handle)), pair => !pair.First.allclose(pair.Second));
    }

    [Fact]
    public void ALinearProbeComputesTheFeaturesOnceAndTrainsOnlyTheHead()
    {
        using var data = SyntheticDataset.Create(60);
        var log = new StringWriter();
        var options = SyntheticDataset.TinyRun(data.Root, output, "probe", epochs: 3) with
        {
            Profile = Recipe.For("resnet18-imagenet") with { Width = 64, Height = 96, Epochs = 3, BatchSize = 16, FirstTrainableStage = 5, HalfWeights = false },
        };

        Assert.Equal(0, TrainCommand.Execute(options, log));

        Assert.Contains("linear probe", log.ToString());
        var trained = new PretrainedResNet(PretrainedFiles.ResNet18, 5, 96, 64, 0.3);
        trained.load(Path.Combine(output, "checkpoint.bin"));
        var original = OnnxTrunk.Load(PretrainedFiles.ResNet18, globalFinalPool: true);
        original.ReverseInputChannels();
        Assert.All(original.parameters().Zip(trained.TrunkParameters), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0), "the probe changed the trunk"));
        var manifest = ModelManifest.Load(Path.Combine(output, "probe.json"));
        Assert.InRange(manifest.TestMetrics!["onnxParityMaxAbsDiff"], 0, TrainCommand.ParityTolerance);
    }

    [Fact]
    public void TheHeadAloneTrainsFirst()
    {
        var net = new PretrainedResNet(PretrainedFiles.ResNet18, 5, 64, 64, 0);
        net.FreezeTrunk();
        Assert.All(net.TrunkParameters, p => Assert.False(p.requires_grad));
        Assert.All(net.HeadParameters, p => Assert.True(p.requires_grad));

        net.TrainableStages(0);
        Assert.All(net.TrunkParameters, p => Assert.True(p.requires_grad));

        // BatchNorm keeps its ImageNet statistics even in training mode.
        net.train();
        using (no_grad())
        {
            net.call(randn(2, 3, 64, 64) * 50);
        }

        var reference = OnnxTrunk.Load(PretrainedFiles.ResNet18);
        Assert.True(reference.Norms.First().running_mean!.allclose(net.named_buffers().First(b => b.name.EndsWith("running_mean")).buffer, rtol: 0, atol: 0));
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
