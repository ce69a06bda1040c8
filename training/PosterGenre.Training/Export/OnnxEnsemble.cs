using Google.Protobuf;
using PosterGenre.Training.Export.Onnx;

namespace PosterGenre.Training.Export;

/// <summary>
/// One ONNX model made of several: the shared input feeds every member's graph (its nodes,
/// initializers and values renamed under <c>member{i}/</c>), and the output is the ONNX Mean of
/// their outputs, so a client (the service, <c>evaluate</c>, calibration, quantization) needs no
/// special case. Members average their probabilities, the form the two-seed pair was measured in
/// on validation (docs/training.md, "Two seeds").
/// </summary>
public static class OnnxEnsemble
{
    public const string MetadataKey = "ensemble";

    public static void Combine(IReadOnlyList<string> memberPaths, string targetPath, string inputName, string outputName, IReadOnlyDictionary<string, string> metadata)
    {
        var members = memberPaths.Select(p => (Path: p, Model: ModelProto.Parser.ParseFrom(File.ReadAllBytes(p)))).ToList();
        var model = Combine(members, inputName, outputName);
        foreach (var (key, value) in metadata)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        var temporary = targetPath + ".tmp";
        File.WriteAllBytes(temporary, model.ToByteArray());
        File.Move(temporary, targetPath, overwrite: true);
    }

    internal static ModelProto Combine(IReadOnlyList<(string Path, ModelProto Model)> members, string inputName, string outputName)
    {
        if (members.Count < 2)
        {
            throw new ArgumentException($"An ensemble needs at least two members; {members.Count} given.");
        }

        var first = members[0].Model.Graph;
        var graph = new GraphProto { Name = "ensemble" };
        graph.Input.Add(Single(first.Input, inputName, members[0].Path, "input").Clone());
        graph.Output.Add(Single(first.Output, outputName, members[0].Path, "output").Clone());
        var outputs = new List<string>();
        for (var m = 0; m < members.Count; m++)
        {
            var (path, member) = members[m];
            _ = Single(member.Graph.Input, inputName, path, "input");
            _ = Single(member.Graph.Output, outputName, path, "output");
            var prefix = $"member{m}/";
            string Rename(string name) => name == inputName || name.Length == 0 ? name : prefix + name;
            foreach (var initializer in member.Graph.Initializer)
            {
                var copy = initializer.Clone();
                copy.Name = Rename(copy.Name);
                graph.Initializer.Add(copy);
            }

            foreach (var node in member.Graph.Node)
            {
                var copy = node.Clone();
                copy.Name = prefix + copy.Name;
                for (var i = 0; i < copy.Input.Count; i++)
                {
                    copy.Input[i] = Rename(copy.Input[i]);
                }

                for (var i = 0; i < copy.Output.Count; i++)
                {
                    copy.Output[i] = Rename(copy.Output[i]);
                }

                graph.Node.Add(copy);
            }

            outputs.Add(Rename(outputName));
        }

        graph.Node.Add(new NodeProto { OpType = "Mean", Name = "ensemble_mean", Input = { outputs }, Output = { outputName } });
        var model = new ModelProto
        {
            IrVersion = members.Max(m => m.Model.IrVersion),
            ProducerName = "postergenre-train ensemble",
            Graph = graph,
        };
        foreach (var opset in members.SelectMany(m => m.Model.OpsetImport).GroupBy(o => o.Domain ?? ""))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = opset.Key, Version = opset.Max(o => o.Version) });
        }

        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKey, Value = $"mean of {members.Count} members' {outputName}" });
        return model;
    }

    private static ValueInfoProto Single(IEnumerable<ValueInfoProto> values, string name, string path, string what) =>
        values.SingleOrDefault(v => v.Name == name)
        ?? throw new InvalidDataException($"'{path}' has no {what} named '{name}'; ensemble members are models written by postergenre-train.");
}
