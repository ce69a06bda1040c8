using System.CommandLine;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Export.Onnx;
using PosterGenre.Training.Export;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>quantize</c> command: an int8 copy of a float model (<see cref="OnnxQuantization"/>),
/// its activation ranges measured on training posters of the model's own split (never validation
/// or test), written with the same manifest plus what was quantized and how.
/// </summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Float ONNX model in its training run folder (manifest and split.csv beside it).", Required = true };
        var data = CommandSupport.DataOption();
        var output = new Option<string>("--out") { Description = "ONNX file to write; its manifest is written beside it.", Required = true };
        var posters = new Option<int>("--posters") { Description = "Training posters whose activations set the ranges.", DefaultValueFactory = _ => 512 };
        var seed = new Option<int>("--seed") { Description = "Seed for choosing those posters.", DefaultValueFactory = _ => 42 };
        var command = new Command("quantize", "Write an int8 copy of a model (weights per output channel, activations from ranges measured on training posters) that ONNX Runtime runs with integer kernels.")
        {
            model, data, output, posters, seed,
        };
        command.SetAction(result => CommandSupport.Run(() => QuantizeCommand.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(output)!, result.GetValue(posters), result.GetValue(seed), Console.Out)));
        return command;
    }

    public const int BatchSize = 16;

    public static int Execute(string modelPath, string dataDir, string outPath, int posters, int seed, TextWriter log)
    {
        var manifest = ModelManifest.Load(Path.ChangeExtension(modelPath, ".json"));
        if (manifest.Quantization is not null)
        {
            throw new InvalidDataException($"{modelPath} is quantized already ({manifest.Quantization}); quantize the float model it was made from.");
        }

        var splitFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, DatasetSplit.FileName);
        if (!File.Exists(splitFile))
        {
            throw new FileNotFoundException($"quantize measures activations on the model's training posters: {splitFile} is missing, so they are unknown.");
        }

        var train = DatasetSplit.Load(splitFile).Select(PosterDataset.Load(dataDir).Posters, SplitName.Train);
        var shuffled = train.ToArray();
        new Random(seed).Shuffle(shuffled);
        var chosen = shuffled.Take(posters).ToList();
        ModelProto model;
        using (var file = File.OpenRead(modelPath))
        {
            model = ModelProto.Parser.ParseFrom(file);
        }

        var ranges = ObserveRanges(model, manifest, chosen);
        var calibratedOn = $"{chosen.Count} training posters of {splitFile} (seed {seed})";
        OnnxQuantization.Quantize(model, ranges, calibratedOn);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        using (var target = File.Create(outPath))
        {
            model.WriteTo(target);
        }

        (manifest with { Quantization = $"{OnnxQuantization.Scheme}; calibrated on {calibratedOn}", CreatedUtc = DateTimeOffset.UtcNow })
            .Save(Path.ChangeExtension(outPath, ".json"));
        log.WriteLine($"{manifest.Name} {manifest.Version}: {ranges.Count} activations quantized, ranges from {calibratedOn}");
        log.WriteLine($"wrote {outPath} ({new FileInfo(outPath).Length / 1e6:F1} MB, from {new FileInfo(modelPath).Length / 1e6:F1} MB) and its manifest");
        return 0;
    }

    /// <summary>Min and max of every observed activation over the posters, run by ONNX Runtime on the float model.</summary>
    private static Dictionary<string, (float Min, float Max)> ObserveRanges(ModelProto model, ModelManifest manifest, IReadOnlyList<PosterRecord> posters)
    {
        var observed = OnnxQuantization.ObservedTensors(model);
        var ranges = observed.ToDictionary(n => n, _ => (Min: float.MaxValue, Max: float.MinValue));
        var preprocessor = new PosterGenre.Imaging.PosterPreprocessor(manifest.Preprocessing);
        var cache = PixelCache.Build(posters, preprocessor, []);
        var spec = preprocessor.Spec;
        using var session = new InferenceSession(OnnxQuantization.WithObservedOutputs(model).ToByteArray());
        for (var start = 0; start < cache.Count; start += BatchSize)
        {
            var rows = Math.Min(BatchSize, cache.Count - start);
            var input = new float[rows * spec.TensorLength];
            for (var r = 0; r < rows; r++)
            {
                preprocessor.Normalize(cache.Pixels[start + r], input.AsSpan(r * spec.TensorLength, spec.TensorLength));
            }

            var tensor = new DenseTensor<float>(input, [rows, 3, spec.Height, spec.Width]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(manifest.InputName, tensor)], observed);
            foreach (var output in outputs)
            {
                var (min, max) = ranges[output.Name];
                foreach (var v in output.AsEnumerable<float>())
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }

                ranges[output.Name] = (min, max);
            }
        }

        return ranges;
    }
}
