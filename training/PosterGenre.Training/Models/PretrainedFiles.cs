using PosterGenre.Training.Export;
using PosterGenre.Training.Export.Onnx;

namespace PosterGenre.Training.Models;

/// <summary>
/// The ImageNet network the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 ships, copied
/// beside the CLI at build: ResNet18 up to its global pooling, and the graph that prepares its
/// input (B,G,R planes of 0-255 pixels minus a mean image).
/// </summary>
public static class PretrainedFiles
{
    public const string Package = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.23.1";
    public const string Licence = "MIT";

    public static string ResNet18 => Path.Combine(AppContext.BaseDirectory, "pretrained", "ResNet18.onnx");

    public static string PreprocessGraph => Path.Combine(AppContext.BaseDirectory, "pretrained", "ResNetPreprocess.onnx");

    /// <summary>For the manifest: the package, the file's name and SHA-256 (of the file given), and the licence.</summary>
    public static PosterGenre.Inference.PretrainedWeights Describe(string file)
    {
        using var stream = File.OpenRead(file);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        return Path.GetFullPath(file) == Path.GetFullPath(ResNet18)
            ? new(Package, PackageVersion, "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx", sha, Licence)
            : new("(a file given with --init-from)", "", Path.GetFileName(file), sha, "unknown");
    }

    /// <summary>
    /// The per-channel means (R, G, B, 0-255) of the preprocessing graph's mean image (its only
    /// 3 x H x W initializer, planes in B,G,R order), for inputs of any size.
    /// </summary>
    public static float[] ChannelMeans(string preprocessGraph)
    {
        if (!File.Exists(preprocessGraph))
        {
            throw new FileNotFoundException($"The pretrained network's preprocessing graph '{preprocessGraph}' is missing; build the training CLI (it comes from the {Package} package).", preprocessGraph);
        }

        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(preprocessGraph)).Graph;
        var meanImage = graph.Initializer.FirstOrDefault(t => t.Dims.Count >= 3 && t.Dims[^3] == 3)
            ?? throw new InvalidDataException($"'{preprocessGraph}' has no 3 x H x W mean image.");
        using var image = OnnxTensors.ToTensor(meanImage).reshape(3, -1);
        var bgr = image.mean([1]).data<float>().ToArray();
        return [.. bgr.Reverse().Select(v => MathF.Round(v, 3))];
    }
}
