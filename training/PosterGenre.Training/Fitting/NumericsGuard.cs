using System.Diagnostics;
using System.Runtime.InteropServices;
using PosterGenre.Inference;

namespace PosterGenre.Training.Fitting;

/// <summary>Training would compute wrong numbers on this machine, or already has (a non-finite loss).</summary>
public sealed class NumericsException(string message) : Exception(message);

/// <summary>
/// Makes LibTorch's float32 arithmetic right before a network runs: <see cref="ConvolutionCheck"/>
/// in a child process (<c>postergenre-train check-numerics</c>) at oneDNN's default instruction
/// set, and if it is wrong, under ever narrower caps (<c>ONEDNN_MAX_CPU_ISA</c>) until one is
/// right; that cap is set in this process's native environment (oneDNN reads it once, when its
/// first kernel is made, so it cannot be tried in-process and changed), and the check is run
/// again here. A user's own <c>ONEDNN_MAX_CPU_ISA</c> is kept and checked. If nothing is right,
/// training is refused.
/// </summary>
public static class NumericsGuard
{
    public const string CapVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>oneDNN's instruction-set caps, widest first (its docs, "CPU dispatcher control").</summary>
    public static readonly string[] Caps = ["AVX512_CORE_BF16", "AVX512_CORE_VNNI", "AVX512_CORE", "AVX2_VNNI", "AVX2", "AVX", "SSE41"];

    private static readonly Lock Gate = new();
    private static TrainingNumerics? ensured;

    /// <summary>Checks (once per process) and caps where needed; the finding, also written to <paramref name="log"/> as one line.</summary>
    public static TrainingNumerics Ensure(TextWriter log)
    {
        lock (Gate)
        {
            ensured ??= Choose();
            log.WriteLine(Describe(ensured));
            return ensured;
        }
    }

    public static string Describe(TrainingNumerics numerics) => numerics.OneDnnCap is null
        ? $"numerics: LibTorch float32 {numerics.Check} on {numerics.Cpu}"
        : $"numerics: oneDNN capped at {numerics.OneDnnCap} ({CapVariable}): {numerics.Check}; uncapped it was {numerics.Uncapped}; on {numerics.Cpu}";

    private static TrainingNumerics Choose()
    {
        var cap = Environment.GetEnvironmentVariable(CapVariable);
        string? uncapped = null;
        if (string.IsNullOrEmpty(cap))
        {
            var (right, line) = Probe(null);
            if (!right)
            {
                uncapped = line;
                cap = Caps.FirstOrDefault(c => Probe(c).Right)
                    ?? throw new NumericsException($"LibTorch computes float32 convolutions wrongly on this CPU ({CpuDescription.Current}): {line}, and no oneDNN cap ({string.Join(", ", Caps)}) makes them right. A network trained here would learn from wrong numbers, so training is refused; train on another machine.");
                SetNativeVariable(CapVariable, cap);
            }
        }

        var cases = ConvolutionCheck.Run();
        var check = ConvolutionCheck.Describe(cases);
        if (cases.Any(c => !c.IsRight))
        {
            var reason = uncapped is null ? $"{CapVariable}={cap} was set before this run" : $"the cap {cap} was right in a separate process (check-numerics) but not here";
            throw new NumericsException($"LibTorch computes float32 convolutions wrongly on this CPU ({CpuDescription.Current}): {check}; {reason}. Training is refused: unset {CapVariable} or run postergenre-train check-numerics to see each case.");
        }

        return new TrainingNumerics(CpuDescription.Current, string.IsNullOrEmpty(cap) ? null : cap, check, uncapped);
    }

    /// <summary>Runs <c>check-numerics</c> in a child process under <paramref name="cap"/> (null: none); right or not, and its summary line.</summary>
    private static (bool Right, string Line) Probe(string? cap)
    {
        using var child = Process.Start(CheckNumericsProcess(cap)) ?? throw new NumericsException("could not start postergenre-train check-numerics");
        var error = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var summary = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("right", StringComparison.Ordinal) || l.StartsWith("wrong", StringComparison.Ordinal));
        return child.ExitCode switch
        {
            0 or 1 when summary is not null => (child.ExitCode == 0, summary),
            _ => throw new NumericsException($"postergenre-train check-numerics ({CapVariable}={cap ?? "unset"}) failed with exit code {child.ExitCode}: {output}{error.Result}"),
        };
    }

    /// <summary>How to start <c>postergenre-train check-numerics</c> (this assembly) under <paramref name="cap"/> (null: none), its output redirected.</summary>
    internal static ProcessStartInfo CheckNumericsProcess(string? cap)
    {
        var cli = typeof(NumericsGuard).Assembly.Location;
        var appHost = Path.ChangeExtension(cli, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = File.Exists(appHost) ? new ProcessStartInfo(appHost) : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { cli } };
        start.ArgumentList.Add("check-numerics");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment.Remove(CapVariable);
        if (cap is not null)
        {
            start.Environment[CapVariable] = cap;
        }

        return start;
    }

    /// <summary>Sets a variable where native code reads it: .NET's own copy is not the C library's environment on Linux and macOS.</summary>
    private static void SetNativeVariable(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && SetEnv(name, value, 1) != 0)
        {
            throw new NumericsException($"could not set {name} for LibTorch (setenv: errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
