using PosterGenre.Training.Export.Onnx;

namespace PosterGenre.Training.Models;

/// <summary>
/// What <see cref="OnnxTrunk"/> computes exactly as the ONNX operator specification (opsets 7 and
/// later) does, checked on the whole graph before anything is built: for every operator it reads,
/// each attribute the specification defines is either implemented (with the values it supports)
/// or refused, by name, with the operator, the node and the value; every input is the graph's
/// input, an initializer or an earlier node's output, in the role the operator gives it; every
/// node has one output; the graph's input is a float tensor of rank 4 and a node's spatial
/// attributes have two dimensions. A graph that passes is computed within float rounding of an
/// ONNX runtime; any other is refused with a <see cref="NotSupportedException"/>.
/// </summary>
internal static class OnnxImportRules
{
    /// <summary>An attribute's check: null when its value is implemented, else why not.</summary>
    private delegate string? AttributeRule(AttributeProto attribute);

    /// <summary>One operator: its attributes, how many inputs, which of them are weights (initializers).</summary>
    private sealed record OperatorRule(Dictionary<string, AttributeRule> Attributes, int MinInputs, int MaxInputs, int[] WeightInputs, bool KeepsRank = true);

    private static readonly Dictionary<string, OperatorRule> Operators = new()
    {
        ["Conv"] = new(new()
        {
            ["kernel_shape"] = TwoPositive,
            ["strides"] = TwoPositive,
            ["pads"] = FourNonNegative,
            ["auto_pad"] = ExplicitPads,
            ["dilations"] = a => AllOnes(a, "dilated convolution"),
            ["group"] = a => a.I == 1 ? null : $"group {a.I} (grouped or depthwise convolution) is not implemented",
        }, 2, 3, [1, 2]),
        ["BatchNormalization"] = new(new()
        {
            ["epsilon"] = a => a.F > 0 ? null : $"epsilon {a.F} must be positive",
            ["momentum"] = _ => null, // only a training-mode statistic update reads it; fine-tuning uses TorchSharp's own
            ["training_mode"] = a => a.I == 0 ? null : "training_mode 1 (normalising by the batch's own statistics) is not implemented",
            ["spatial"] = a => a.I == 1 ? null : $"spatial {a.I} (per-activation statistics) is not implemented",
        }, 5, 5, [1, 2, 3, 4]),
        ["Relu"] = new([], 1, 1, []),
        ["Add"] = new([], 2, 2, []),
        ["MaxPool"] = new(new()
        {
            ["kernel_shape"] = TwoPositive,
            ["strides"] = TwoPositive,
            ["pads"] = FourNonNegative,
            ["auto_pad"] = ExplicitPads,
            ["ceil_mode"] = a => a.I is 0 or 1 ? null : $"ceil_mode {a.I} is not 0 or 1",
            ["dilations"] = TwoPositive,
            ["storage_order"] = a => a.I == 0 ? null : "storage_order 1 (column-major indices) is not implemented",
        }, 1, 1, []),
        ["AveragePool"] = new(new()
        {
            ["kernel_shape"] = TwoPositive,
            ["strides"] = TwoPositive,
            ["pads"] = a => a.Ints.All(p => p == 0) ? FourNonNegative(a) : $"pads [{string.Join(", ", a.Ints)}] are not implemented (only unpadded average pooling)",
            ["auto_pad"] = a => a.S.ToStringUtf8() is "NOTSET" or "VALID" ? null : $"auto_pad {a.S.ToStringUtf8()} is not implemented",
            ["ceil_mode"] = a => a.I == 0 ? null : "ceil_mode 1 is not implemented for AveragePool",
            ["count_include_pad"] = _ => null, // without padding every window counts only input values
            ["dilations"] = a => AllOnes(a, "dilated average pooling"),
        }, 1, 1, []),
        ["GlobalAveragePool"] = new([], 1, 1, []),
        ["Flatten"] = new(new() { ["axis"] = a => a.I is >= -4 and <= 4 ? null : $"axis {a.I} is outside the input's rank 4" }, 1, 1, [], KeepsRank: false),
    };

    /// <summary>The operators the importer reads.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => Operators.Keys;

    /// <summary>Refuses a graph the importer would compute differently from the specification, naming the first reason.</summary>
    public static void Check(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var input = graph.Input.FirstOrDefault(i => !initializers.ContainsKey(i.Name))
            ?? throw new InvalidDataException("The ONNX graph has no input that is not an initializer.");
        CheckInput(input);
        foreach (var t in graph.Initializer.Where(t => t.DataType is not ((int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Float16)))
        {
            throw new NotSupportedException($"Initializer '{t.Name}' has element type {(TensorProto.Types.DataType)t.DataType}; the importer reads float and float16 weights.");
        }

        // Every value a node may read, with its rank (the graph input is NCHW).
        var ranks = new Dictionary<string, int> { [input.Name] = 4 };
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var where = $"{node.OpType} node {(string.IsNullOrEmpty(node.Name) ? $"#{index}" : $"'{node.Name}'")}";
            if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx")
            {
                throw new NotSupportedException($"{where} is from the operator domain '{node.Domain}'; the importer reads the standard ONNX operators {string.Join(", ", SupportedOperators)}.");
            }

            if (!Operators.TryGetValue(node.OpType, out var rule))
            {
                throw new NotSupportedException($"ONNX operator '{node.OpType}' (node {(string.IsNullOrEmpty(node.Name) ? $"#{index}" : $"'{node.Name}'")}) is not supported by the importer; it reads {string.Join(", ", SupportedOperators)}.");
            }

            CheckAttributes(node, rule, where);
            var rank = CheckInputs(node, rule, where, initializers, ranks);
            if (node.Output.Count != 1 || string.IsNullOrEmpty(node.Output[0]))
            {
                throw new NotSupportedException($"{where} has {node.Output.Count} outputs ({string.Join(", ", node.Output.Select(o => $"'{o}'"))}); the importer computes one output per node.");
            }

            ranks[node.Output[0]] = rule.KeepsRank ? rank : 2;
        }

        foreach (var output in graph.Output.Take(1).Where(o => !ranks.ContainsKey(o.Name)))
        {
            throw new InvalidDataException($"No node makes the graph's output '{output.Name}'.");
        }
    }

    private static void CheckInput(ValueInfoProto input)
    {
        if (input.Type?.TensorType is not { } tensor)
        {
            return;
        }

        if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw new NotSupportedException($"The graph's input '{input.Name}' has element type {(TensorProto.Types.DataType)tensor.ElemType}; the importer reads a float image tensor.");
        }

        if (tensor.Shape is { } shape && shape.Dim.Count != 4)
        {
            throw new NotSupportedException($"The graph's input '{input.Name}' has rank {shape.Dim.Count}; the importer reads an image network's rank-4 (N, C, H, W) input.");
        }
    }

    private static void CheckAttributes(NodeProto node, OperatorRule rule, string where)
    {
        foreach (var attribute in node.Attribute)
        {
            if (!rule.Attributes.TryGetValue(attribute.Name, out var check))
            {
                throw new NotSupportedException($"{where} has the attribute '{attribute.Name}' ({Value(attribute)}), which the importer does not implement for {node.OpType}.");
            }

            if (check(attribute) is { } reason)
            {
                throw new NotSupportedException($"{where}: {reason}.");
            }
        }

        // Where a last partial window may start in the bottom/right padding, runtimes differ; not read.
        var pads = node.Attribute.FirstOrDefault(a => a.Name == "pads")?.Ints;
        if (node.Attribute.Any(a => a.Name == "ceil_mode" && a.I == 1) && pads is { Count: 4 } && (pads[2] > 0 || pads[3] > 0))
        {
            throw new NotSupportedException($"{where}: ceil_mode 1 with bottom/right pads [{string.Join(", ", pads)}] is not implemented.");
        }
    }

    /// <summary>Checks what each input is; returns the rank of the node's data input.</summary>
    private static int CheckInputs(NodeProto node, OperatorRule rule, string where, Dictionary<string, TensorProto> initializers, Dictionary<string, int> ranks)
    {
        if (node.Input.Count < rule.MinInputs || node.Input.Count > rule.MaxInputs)
        {
            throw new NotSupportedException($"{where} has {node.Input.Count} inputs; {node.OpType} takes {(rule.MinInputs == rule.MaxInputs ? $"{rule.MinInputs}" : $"{rule.MinInputs} to {rule.MaxInputs}")}.");
        }

        var rank = -1;
        for (var i = 0; i < node.Input.Count; i++)
        {
            var name = node.Input[i];
            if (rule.WeightInputs.Contains(i))
            {
                if (!initializers.ContainsKey(name))
                {
                    throw new NotSupportedException($"{where} reads its weights from '{name}', which is not an initializer; the importer needs them in the file.");
                }

                continue;
            }

            if (!ranks.TryGetValue(name, out var r))
            {
                throw new NotSupportedException(initializers.ContainsKey(name)
                    ? $"{where} reads the initializer '{name}' as data; the importer's {node.OpType} reads values computed by earlier nodes."
                    : $"{where} reads '{name}', which is neither the graph's input, an initializer nor the output of an earlier node.");
            }

            rank = rank < 0 ? r : rank;
        }

        if (node.OpType is "Conv" or "BatchNormalization" or "MaxPool" or "AveragePool" or "GlobalAveragePool" && rank != 4)
        {
            throw new NotSupportedException($"{where} reads a rank-{rank} tensor; the importer's {node.OpType} reads rank 4 (N, C, H, W).");
        }

        foreach (var spatial in node.Attribute.Where(a => a.Name is "kernel_shape" or "strides" or "dilations").Where(a => a.Ints.Count != 2))
        {
            throw new NotSupportedException($"{where}: {spatial.Name} [{string.Join(", ", spatial.Ints)}] has {spatial.Ints.Count} dimensions; the importer reads 2-D (image) operators only.");
        }

        return rank;
    }

    private static string? TwoPositive(AttributeProto a) =>
        a.Ints.Count != 2 ? null /* reported with the rank check */ : a.Ints.All(v => v > 0) ? null : $"{a.Name} [{string.Join(", ", a.Ints)}] must be positive";

    private static string? FourNonNegative(AttributeProto a) =>
        a.Ints.Count == 4 && a.Ints.All(v => v >= 0) ? null : $"pads [{string.Join(", ", a.Ints)}] are not four non-negative numbers (2-D: top, left, bottom, right)";

    private static string? ExplicitPads(AttributeProto a) =>
        a.S.ToStringUtf8() is "NOTSET" or "VALID" ? null : $"auto_pad {a.S.ToStringUtf8()} is not implemented (explicit pads only)";

    private static string? AllOnes(AttributeProto a, string what) =>
        a.Ints.All(v => v == 1) ? null : $"dilations [{string.Join(", ", a.Ints)}] ({what}) are not implemented";

    private static string Value(AttributeProto a) => a.Type switch
    {
        AttributeProto.Types.AttributeType.Int => $"{a.I}",
        AttributeProto.Types.AttributeType.Float => $"{a.F}",
        AttributeProto.Types.AttributeType.Ints => $"[{string.Join(", ", a.Ints)}]",
        AttributeProto.Types.AttributeType.String => $"\"{a.S.ToStringUtf8()}\"",
        _ => a.Type.ToString(),
    };
}
