namespace PosterGenre.Inference;

/// <summary>
/// The CPU a figure or a failure came from: its model and the instruction sets whose kernels give
/// different numbers (AVX2, AVX-512, VNNI, BF16), since LibTorch's and ONNX Runtime's results
/// differ between CPUs (docs/reliability.md, "CPUs").
/// </summary>
public static class CpuDescription
{
    private static readonly (string Flag, string Name)[] Relevant =
    [
        ("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_vnni", "AVX-512 VNNI"), ("avx_vnni", "AVX-VNNI"), ("avx512_bf16", "AVX-512 BF16"),
    ];

    /// <summary>For example "AMD EPYC (family 26 model 2), 2 cores: AVX2, AVX-512, AVX-512 VNNI, AVX-512 BF16".</summary>
    public static string Current { get; } = Describe(File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "", Environment.ProcessorCount);

    /// <summary>Describes a /proc/cpuinfo text; without one, the .NET runtime's view of the instruction sets.</summary>
    public static string Describe(string cpuinfo, int cores)
    {
        var fields = cpuinfo.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim());
        if (!fields.TryGetValue("flags", out var flagLine))
        {
            return $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, {cores} cores: {RuntimeSets()}";
        }

        var flags = flagLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var sets = Relevant.Where(r => flags.Contains(r.Flag)).Select(r => r.Name).ToList();
        var model = fields.GetValueOrDefault("model name", "unknown CPU");
        var family = fields.TryGetValue("cpu family", out var f) && fields.TryGetValue("model", out var m) ? $" (family {f} model {m})" : "";
        return $"{model}{family}, {cores} cores: {(sets.Count == 0 ? "no AVX2" : string.Join(", ", sets))}";
    }

    private static string RuntimeSets()
    {
        var sets = new List<string>();
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            sets.Add("AVX2");
        }

        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            sets.Add("AVX-512");
        }

        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported)
        {
            sets.Add("AVX-VNNI");
        }

        return sets.Count == 0 ? "no AVX2" : string.Join(", ", sets);
    }
}
