using BenchmarkDotNet.Running;

namespace PosterGenre.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- [BenchmarkDotNet args]</c> runs the micro-benchmarks;
/// <c>dotnet run -c Release -- load URL [concurrency] [seconds] [model] [posters per request]</c> loads a running service.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["load", var url, ..])
        {
            var concurrency = args.Length > 2 ? int.Parse(args[2]) : 8;
            var seconds = args.Length > 3 ? int.Parse(args[3]) : 20;
            var model = args.Length > 4 ? args[4] : "poster-genre";
            var files = args.Length > 5 ? int.Parse(args[5]) : 1;
            return await LoadGenerator.RunAsync(url, concurrency, TimeSpan.FromSeconds(seconds), model, files);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
