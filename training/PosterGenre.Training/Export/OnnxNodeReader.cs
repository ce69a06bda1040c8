using PosterGenre.Training.Export.Onnx;
using static TorchSharp.torch;

namespace PosterGenre.Training.Export;

/// <summary>Reading a node of an ONNX graph: its integer attributes, its explicit pads, the weights it reads.</summary>
internal static class OnnxNodeReader
{
    /// <summary>ONNX pads [top, left, bottom, right]; SAME_UPPER/SAME_LOWER auto_pad is not read.</summary>
    public static long[] Pads(this NodeProto node)
    {
        var autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        return autoPad is "NOTSET" or "VALID"
            ? node.Ints("pads", [0, 0, 0, 0])
            : throw new NotSupportedException($"Node '{node.Name}' ({node.OpType}) uses auto_pad {autoPad}; the importer reads explicit pads only.");
    }

    public static long[] Ints(this NodeProto node, string name, long[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints.Count > 0 ? a.Ints : [a.I]] : fallback;

    public static Tensor Initializer(this NodeProto node, int input, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        var name = node.Input.Count > input ? node.Input[input] : "";
        if (!initializers.TryGetValue(name, out var proto))
        {
            throw new InvalidDataException($"{node.OpType} node '{node.Name}' reads '{name}', which is not an initializer; the importer needs its weights in the file.");
        }

        return OnnxTensors.ToTensor(proto);
    }
}
