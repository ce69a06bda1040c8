using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using PosterGenre.Imaging;
using PosterGenre.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

/// <summary>
/// The ONNX importer: the package's ImageNet ResNet18, rebuilt in TorchSharp, gives ONNX Runtime's
/// 512 features within 1e-4 on random input and on real posters prepared by the package's own
/// preprocessing graph.
/// </summary>
public sealed class OnnxImportTests
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void ImportedResNet18MatchesOnnxRuntimeOnRandomInput()
    {
        random.manual_seed(5);
        // B,G,R planes minus the mean, as the network was trained on: roughly -120..130.
        var input = (rand(2, 3, 224, 224) * 255) - 120;

        AssertFeaturesMatch(input);
    }

    [Fact]
    public void ImportedResNet18MatchesOnnxRuntimeOnRealPosters()
    {
        var preprocessor = new PosterPreprocessor(new PreprocessingSpec { Width = 224, Height = 224, Mean = [0, 0, 0], Std = [1 / 255f, 1 / 255f, 1 / 255f] });
        var posters = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "posters"), "*.jpg").Take(4).ToArray();
        using var prepare = new InferenceSession(PretrainedFiles.PreprocessGraph);
        var prepared = posters.Select(p => Run(prepare, preprocessor.ToTensor(File.ReadAllBytes(p)), [1, 3, 224, 224])).ToArray();

        AssertFeaturesMatch(tensor(prepared.SelectMany(p => p).ToArray(), [posters.Length, 3, 224, 224]));
    }

    [Fact]
    public void PerChannelMeansGiveTheFeaturesOfThePerPixelMeanImage()
    {
        // The package subtracts a 224x224 mean image; other input sizes need its per-channel means.
        // On real posters, the 512 features of the two agree to a cosine similarity above 0.99.
        var rgb = new PosterPreprocessor(new PreprocessingSpec { Width = 224, Height = 224, Mean = [0, 0, 0], Std = [1 / 255f, 1 / 255f, 1 / 255f] });
        var mean = PretrainedFiles.ChannelMeans(PretrainedFiles.PreprocessGraph);
        using var prepare = new InferenceSession(PretrainedFiles.PreprocessGraph);
        using var network = new InferenceSession(PretrainedFiles.ResNet18);
        foreach (var poster in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "posters"), "*.jpg"))
        {
            var pixels = rgb.ToTensor(File.ReadAllBytes(poster));
            var plane = 224 * 224;
            var perChannel = new float[3 * plane];
            for (var c = 0; c < 3; c++)
            {
                // B,G,R planes, each minus its channel's mean.
                for (var p = 0; p < plane; p++)
                {
                    perChannel[(c * plane) + p] = pixels[((2 - c) * plane) + p] - mean[2 - c];
                }
            }

            var withImage = Run(network, Run(prepare, pixels, [1, 3, 224, 224]), [1, 3, 224, 224]);
            var withChannels = Run(network, perChannel, [1, 3, 224, 224]);

            var cosine = withImage.Zip(withChannels, (a, b) => a * b).Sum() / Math.Sqrt(withImage.Sum(a => a * a) * withChannels.Sum(b => b * b));
            Assert.True(cosine > 0.99, $"{Path.GetFileName(poster)}: cosine similarity {cosine:F4}");
        }
    }

    [Fact]
    public void PackageMeanImageAveragesToImageNetChannelMeans()
    {
        var mean = PretrainedFiles.ChannelMeans(PretrainedFiles.PreprocessGraph);

        // R, G, B: the ImageNet means every ResNet of that era subtracts (123.7, 116.3, 103.5), within a grey level.
        Assert.Equal([123.7f, 116.3f, 103.5f], mean, (a, b) => Math.Abs(a - b) < 1.2f);
    }

    [Fact]
    public void ResNet18StagesAndCostAreReadFromTheGraph()
    {
        var trunk = OnnxTrunk.Load(PretrainedFiles.ResNet18, globalFinalPool: true);

        Assert.Equal(5, trunk.Stages);
        Assert.Equal(512, trunk.OutputChannels);
        // Nine residual blocks (2-2-2-3): about 2.04 G MACs at 224x224, four times that at twice the side.
        Assert.InRange(trunk.Macs(224, 224), 2.0e9, 2.1e9);
        Assert.Equal(4.0 * trunk.Macs(224, 224), trunk.Macs(448, 448), 0.01 * trunk.Macs(448, 448));
        // The stem: one convolution without bias (its weight) and its BatchNorm (scale and shift).
        Assert.Equal(3, trunk.ParametersBefore(1).Count());
    }

    private static void AssertFeaturesMatch(Tensor input)
    {
        using var session = new InferenceSession(PretrainedFiles.ResNet18);
        var n = (int)input.shape[0];
        var expected = Enumerable.Range(0, n)
            .SelectMany(i => Run(session, input[i].contiguous().data<float>().ToArray(), [1, 3, 224, 224])).ToArray();
        var trunk = OnnxTrunk.Load(PretrainedFiles.ResNet18);
        trunk.eval();
        float[] actual;
        using (no_grad())
        {
            actual = trunk.call(input).contiguous().data<float>().ToArray();
        }

        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(n * 512, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"max |TorchSharp - ONNX Runtime| = {worst:E2} on the 512 features");
        Assert.True(expected.Max() > 0.5f, "the features should not be all near zero");
    }

    private static float[] Run(InferenceSession session, float[] input, int[] shape)
    {
        var name = session.InputMetadata.Keys.First();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor(input, shape))]);
        return [.. results.First().AsEnumerable<float>()];
    }
}
