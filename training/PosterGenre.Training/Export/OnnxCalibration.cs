using System.Globalization;
using Google.Protobuf;
using PosterGenre.Training.Export.Onnx;

namespace PosterGenre.Training.Export;

/// <summary>
/// Builds a probability calibration into an ONNX model written by <see cref="OnnxExporter"/>: the
/// logits that reach the final Sigmoid pass through a Mul by the scale and an Add of the bias first,
/// so every client of the file (the service, <c>evaluate</c>, ONNX Runtime elsewhere) gets the
/// corrected probabilities. Two scalar operations per output; nothing else in the graph changes.
/// </summary>
public static class OnnxCalibration
{
    public const string MetadataKey = "calibration";

    public static void Apply(string sourcePath, string targetPath, string outputName, float scale, float bias)
    {
        ModelProto model;
        using (var source = File.OpenRead(sourcePath))
        {
            model = ModelProto.Parser.ParseFrom(source);
        }

        Apply(model, outputName, scale, bias, sourcePath);
        var temporary = targetPath + ".tmp";
        using (var target = File.Create(temporary))
        {
            model.WriteTo(target);
        }

        File.Move(temporary, targetPath, overwrite: true);
    }

    internal static void Apply(ModelProto model, string outputName, float scale, float bias, string description)
    {
        var graph = model.Graph;
        if (model.MetadataProps.Any(p => p.Key == MetadataKey))
        {
            throw new InvalidDataException($"'{description}' is calibrated already; calibrate the model it was made from.");
        }

        // The exporter ends every graph with Sigmoid -> Identity(output).
        var identity = graph.Node.SingleOrDefault(n => n.Output.Contains(outputName));
        var sigmoid = identity is { OpType: "Identity" } ? graph.Node.SingleOrDefault(n => n.OpType == "Sigmoid" && n.Output.Contains(identity.Input[0])) : null;
        if (sigmoid is null)
        {
            throw new InvalidDataException($"'{description}' does not end in a Sigmoid feeding output '{outputName}', as models written by postergenre-train do; it cannot be calibrated here.");
        }

        var logits = sigmoid.Input[0];
        var scaleName = Scalar(graph, "calibration_scale", scale);
        var biasName = Scalar(graph, "calibration_bias", bias);
        var scaled = new NodeProto { OpType = "Mul", Name = "calibration_scaled", Output = { "calibration_scaled" }, Input = { logits, scaleName } };
        var shifted = new NodeProto { OpType = "Add", Name = "calibration_logits", Output = { "calibration_logits" }, Input = { "calibration_scaled", biasName } };
        var at = graph.Node.IndexOf(sigmoid);
        graph.Node.Insert(at, shifted);
        graph.Node.Insert(at, scaled);
        sigmoid.Input[0] = "calibration_logits";
        model.MetadataProps.Add(new StringStringEntryProto
        {
            Key = MetadataKey,
            Value = string.Create(CultureInfo.InvariantCulture, $"sigmoid({scale:R} x logit + {bias:R})"),
        });
    }

    private static string Scalar(GraphProto graph, string name, float value)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(value)) };
        graph.Initializer.Add(proto);
        return name;
    }
}
