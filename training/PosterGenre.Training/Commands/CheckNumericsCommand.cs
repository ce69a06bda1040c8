using System.CommandLine;
using PosterGenre.Inference;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>check-numerics</c> command: LibTorch's float32 convolutions on this CPU against float64
/// (<see cref="ConvolutionCheck"/>), under whatever <c>ONEDNN_MAX_CPU_ISA</c> the environment sets.
/// <c>train</c> runs it in child processes to choose a cap; run by hand, it shows every case.
/// Exit code 0 when every case is right, 1 when one is wrong.
/// </summary>
public static class CheckNumericsCommand
{
    public static Command Create()
    {
        var command = new Command("check-numerics", "Check LibTorch's float32 convolutions on this CPU against float64 (train does this itself and caps oneDNN where needed).");
        command.SetAction(_ => Execute(Console.Out));
        return command;
    }

    public static int Execute(TextWriter log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cases = ConvolutionCheck.Run();
        log.WriteLine($"CPU: {CpuDescription.Current}; {NumericsGuard.CapVariable}={Environment.GetEnvironmentVariable(NumericsGuard.CapVariable) ?? "(unset)"}; {cases.Count} cases in {clock.ElapsedMilliseconds} ms");
        foreach (var c in cases)
        {
            log.WriteLine(FormattableString.Invariant($"  {(c.IsRight ? "right" : "WRONG")}  {c.Error:E2}  {c.Name}"));
        }

        log.WriteLine(ConvolutionCheck.Describe(cases));
        return cases.All(c => c.IsRight) ? 0 : 1;
    }
}
