using System.Runtime.CompilerServices;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Tests;

/// <summary>
/// Runs train's numerics guard before any test touches LibTorch: on a CPU whose oneDNN kernels are
/// wrong (AMD Zen 5), it caps oneDNN for this process as <c>train</c> does for its own, which it
/// can only do before LibTorch makes its first kernel.
/// </summary>
internal static class NumericsSetUp
{
    public static string? Error { get; private set; }

    [ModuleInitializer]
    internal static void CapOneDnnWhereNeeded()
    {
        try
        {
            NumericsGuard.Ensure(Console.Out);
        }
        catch (NumericsException e)
        {
            // Recorded, not thrown: an exception here would hide every test behind a type load error.
            Error = e.Message;
        }
    }
}
