using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Export;
using PosterGenre.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

/// <summary>
/// The exported ONNX file, run by ONNX Runtime through the service's own <see cref="GenreModel"/>,
/// must give TorchSharp's eval-mode probabilities within 1e-4, on random input and on real posters.
/// </summary>
public sealed class OnnxParityTests : IDisposable
{
    private const float Tolerance = 1e-4f;
    private readonly string dir = Directory.CreateTempSubdirectory("postergenre-parity-").FullName;

    /// <summary>Every architecture the CLI trains, at its recipe's input size.</summary>
    public static TheoryData<string> Architectures => new(Fitting.Recipe.Names);

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OnnxRuntimeMatchesTorchSharpOnRandomInput(string architecture)
    {
        var (net, model) = TrainedBriefly(architecture);
        random.manual_seed(11);
        var input = randn(4, 3, model.Preprocessor.Spec.Height, model.Preprocessor.Spec.Width);

        AssertParity(net, model, input);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OnnxRuntimeMatchesTorchSharpOnRealPosters(string architecture)
    {
        var (net, model) = TrainedBriefly(architecture);
        var (height, width) = (model.Preprocessor.Spec.Height, model.Preprocessor.Spec.Width);
        var posters = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "posters"), "*.jpg");
        var tensors = posters.Select(p => model.Preprocessor.ToTensor(File.ReadAllBytes(p))).ToArray();
        var input = tensor(tensors.SelectMany(t => t).ToArray(), [tensors.Length, 3, height, width]);

        AssertParity(net, model, input);
    }

    [Fact]
    public void BlocksOfSeveralConvolutionsExportToo()
    {
        var profile = Fitting.Recipe.For("poster-genre") with { Channels = [24, 48, 80, 160, 208], Convs = [1, 1, 2, 2, 1] };
        var (net, model) = TrainedBriefly(profile, "poster-genre-deeper");
        random.manual_seed(11);

        AssertParity(net, model, randn(4, 3, profile.Height, profile.Width));
        // Seven 3x3 convolutions in the trunk, and the style branch's 1x1.
        Assert.Equal(8, net.named_modules().Count(m => m.module is TorchSharp.Modules.Conv2d));
        // 144x96: 3x3 convs 3-24 | 24-48 | 48-80, 80-80 | 80-160, 160-160 | 160-208 = 215,239,680;
        // style branch at 18x12 (80-32 and 32x32) 774,144; head 25 x (2 x 208 + 32 x 32) 36,000.
        Assert.Equal(216_049_824L, ((IGenreNet)net).Macs);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void AssertParity(nn.Module<Tensor, Tensor> net, GenreModel model, Tensor input)
    {
        using var noGrad = no_grad();
        var expected = sigmoid(((IGenreNet)net).Logits(input)).data<float>().ToArray();
        var n = (int)input.shape[0];
        var rows = Enumerable.Range(0, n).Select(i => input[i].contiguous().data<float>().ToArray()).ToArray();

        var actual = model.Predict(rows).SelectMany(r => r).ToArray();

        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"max |TorchSharp - ONNX Runtime| = {worst:E2}");
        Assert.True(expected.Distinct().Count() > n, "the network's outputs should differ between genres and posters");
    }

    /// <summary>A fresh network after a few optimiser steps, so BatchNorm statistics and weights are not at their initial values.</summary>
    private (nn.Module<Tensor, Tensor> Net, GenreModel Model) TrainedBriefly(string architecture) =>
        TrainedBriefly(Fitting.Recipe.For(architecture), architecture);

    private (nn.Module<Tensor, Tensor> Net, GenreModel Model) TrainedBriefly(Fitting.Recipe profile, string architecture)
    {
        random.manual_seed(3);
        var (width, height) = (profile.Width, profile.Height);
        var net = profile.CreateNet(25);
        // A pretrained network takes a fine-tuning step, not a from-scratch one (1e-2 saturates its outputs).
        var optimizer = optim.Adam(net.parameters(), profile.PixelMean is null ? 1e-2 : 1e-4);
        net.train();
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var x = (randn(4, 3, height, width) * 0.7) + 0.2;
            var y = (rand(4, 25) < 0.2).to(ScalarType.Float32);
            var loss = nn.functional.binary_cross_entropy_with_logits(((IGenreNet)net).Logits(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }

        net.eval();
        var path = Path.Combine(dir, architecture + ".onnx");
        OnnxExporter.Export(((IGenreNet)net).Export, path, height, width, 25, new Dictionary<string, string>());
        new ModelManifest
        {
            Name = architecture,
            Version = "test",
            Architecture = architecture,
            Genres = [.. Enumerable.Range(0, 25).Select(g => $"g{g}")],
            Thresholds = [.. Enumerable.Repeat(0.5f, 25)],
            Preprocessing = new PreprocessingSpec { Width = width, Height = height, Mean = [0.45f, 0.4f, 0.38f], Std = [0.3f, 0.29f, 0.3f] },
        }.Save(Path.ChangeExtension(path, ".json"));
        return (net, GenreModel.Load(path));
    }
}
