using PosterGenre.Training.Export.Onnx;
using static TorchSharp.torch;

namespace PosterGenre.Training.Export;

/// <summary>ONNX initializers read back as TorchSharp tensors (float32, or float16 widened to float32), and numbers as raw initializer data.</summary>
internal static class OnnxTensors
{
    /// <summary>Values as an initializer's raw data (little-endian, as ONNX stores it and as this machine holds them).</summary>
    internal static byte[] RawBytes<T>(T[] values)
        where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    internal static Tensor ToTensor(TensorProto proto)
    {
        var shape = proto.Dims.ToArray();
        var type = (TensorProto.Types.DataType)proto.DataType;
        var raw = proto.RawData.ToByteArray();
        return type switch
        {
            TensorProto.Types.DataType.Float when raw.Length > 0 => tensor(ToFloats(raw), shape),
            TensorProto.Types.DataType.Float => tensor(proto.FloatData.ToArray(), shape),
            TensorProto.Types.DataType.Float16 when raw.Length > 0 => tensor(ToHalves(raw), shape),
            _ => throw new NotSupportedException($"Initializer '{proto.Name}' is of ONNX type {type}; the importer reads float and float16 raw data."),
        };
    }

    private static float[] ToFloats(byte[] raw)
    {
        var values = new float[raw.Length / sizeof(float)];
        Buffer.BlockCopy(raw, 0, values, 0, values.Length * sizeof(float));
        return values;
    }

    private static float[] ToHalves(byte[] raw)
    {
        var values = new float[raw.Length / 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)BitConverter.ToHalf(raw, 2 * i);
        }

        return values;
    }
}
