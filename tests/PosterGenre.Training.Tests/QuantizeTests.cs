using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Export;
using PosterGenre.Training.Export.Onnx;
using PosterGenre.Training.Fitting;
using PosterGenre.Training.Commands;

namespace PosterGenre.Training.Tests;

/// <summary>
/// The <c>quantize</c> command: an int8 copy whose probabilities stay close to the float model's,
/// whose convolutions ONNX Runtime really runs with integer kernels, and that is never quantized twice.
/// </summary>
public sealed class QuantizeTests : IDisposable
{
    private static readonly string ShippedFast = Path.Combine(AppContext.BaseDirectory, "models", "poster-genre-fast", "poster-genre-fast.onnx");
    private readonly string output = Directory.CreateTempSubdirectory("postergenre-quantize-").FullName;

    [Fact]
    public void QuantizeWritesAnInt8CopyWhoseProbabilitiesStayCloseToTheFloatModels()
    {
        using var data = SyntheticDataset.Create(90);
        TrainCommand.Execute(SyntheticDataset.TinyRun(data.Root, output), TextWriter.Null);
        var model = Path.Combine(output, "tiny.onnx");
        var quantized = Path.Combine(output, "int8", "tiny.onnx");
        var log = new StringWriter();

        var exit = QuantizeCommand.Execute(model, data.Root, quantized, posters: 64, seed: 3, log);

        Assert.Equal(0, exit);
        var manifest = ModelManifest.Load(Path.ChangeExtension(quantized, ".json"));
        Assert.StartsWith("int8", manifest.Quantization);
        Assert.Contains("64 training posters", manifest.Quantization);
        Assert.Equal(ModelManifest.Load(Path.ChangeExtension(model, ".json")).Thresholds, manifest.Thresholds);
        var dataset = PosterDataset.Load(data.Root);
        using var original = GenreModel.Load(model);
        using var int8 = GenreModel.Load(quantized);
        var cache = PixelCache.Build(dataset.Posters, original.Preprocessor, []);
        int[] all = [.. Enumerable.Range(0, cache.Count)];
        var p = OnnxScoring.Predict(original, cache, all).SelectMany(r => r).ToArray();
        var q = OnnxScoring.Predict(int8, cache, all).SelectMany(r => r).ToArray();
        var largest = p.Zip(q, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 0.02, $"largest difference in a probability: {largest}");
        Assert.True(largest > 0, "the int8 copy gives exactly the float model's probabilities: nothing was quantized");
    }

    [Fact]
    public void OnnxRuntimeRunsEveryConvolutionOfTheShippedFastModelWithIntegerKernels()
    {
        var model = Load(ShippedFast);
        var convolutions = model.Graph.Node.Count(n => n.OpType == "Conv");
        // Ranges as measured ones are: a Relu's output never below 0.
        var relus = model.Graph.Node.Where(n => n.OpType == "Relu").Select(n => n.Output[0]).ToHashSet();
        var ranges = OnnxQuantization.ObservedTensors(model).ToDictionary(n => n, n => (relus.Contains(n) ? 0f : -4f, 4f));

        OnnxQuantization.Quantize(model, ranges, "a test's ranges");

        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType is (int)TensorProto.Types.DataType.Float16);
        Assert.Equal(convolutions, model.Graph.Initializer.Count(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Dims.Count == 4));
        var optimized = Path.Combine(output, "optimized.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
        using (new InferenceSession(model.ToByteArray(), options))
        {
        }

        var kernels = Load(optimized).Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(convolutions, kernels.Count(k => k == "QLinearConv"));
        Assert.DoesNotContain("Conv", kernels);
    }

    [Fact]
    public void QuantizedWeightsUseSevenBitsSoCpusWithoutVnniCannotSaturate()
    {
        var model = Load(ShippedFast);
        var ranges = OnnxQuantization.ObservedTensors(model).ToDictionary(n => n, _ => (0f, 4f));

        OnnxQuantization.Quantize(model, ranges, "a test");

        var weights = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Dims.Count == 4).ToList();
        Assert.NotEmpty(weights);
        foreach (var tensor in weights)
        {
            var values = tensor.RawData.Select(b => (int)(sbyte)b).ToArray();
            var perChannel = values.Length / (int)tensor.Dims[0];
            var largestPerChannel = values.Chunk(perChannel).Select(c => c.Max(Math.Abs)).ToArray();
            // A uint8 activation times a weight, two at a time, must fit in 16 bits (255 x 63 x 2 = 32,130).
            Assert.All(largestPerChannel, largest => Assert.InRange(largest, 0, OnnxQuantization.WeightLimit));
            Assert.Contains(OnnxQuantization.WeightLimit, largestPerChannel);
        }
    }

    [Fact]
    public void AQuantizedModelIsNotQuantizedAgain()
    {
        var model = Load(ShippedFast);
        var ranges = OnnxQuantization.ObservedTensors(model).ToDictionary(n => n, _ => (-4f, 4f));
        OnnxQuantization.Quantize(model, ranges, "a test");

        var e = Assert.Throws<InvalidDataException>(() => OnnxQuantization.Quantize(model, ranges, "a test"));

        Assert.Contains("quantized already", e.Message);
    }

    private static ModelProto Load(string path)
    {
        using var file = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(file);
    }

    public void Dispose() => Directory.Delete(output, recursive: true);
}
