using BenchmarkDotNet.Running;

namespace PosterGenre.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- [BenchmarkDotNet args]</c> runs the micro-benchmarks;
/// <c>dotnet run -c Release -- load URL [concurrency] [seconds] [model] [posters per request]</c> loads a running service;
/// <c>bare MODEL [workers] [intra-op threads] [seconds]</c> measures the bare floor, libraries only (<see cref="BareFloor"/>);
/// <c>floor MODEL [workers] [intra-op threads] [seconds] [pause ms]</c> measures the floor through the project's own code (<see cref="FloorRun"/>);
/// <c>plot THROUGHPUT.png LATENCY.png CSV...</c> draws bench.sh's figures (<see cref="ConcurrencyPlot"/>);
/// <c>soak URL PID [requests] [concurrency] [model]</c> soaks it (<see cref="SoakRun"/>);
/// <c>reloads URL PID [reloads] [model]</c> measures what hot reloads leave behind (<see cref="ReloadRun"/>);
/// <c>fuzz URL [cases] [seed]</c> sends it mutated multipart bodies (<see cref="HttpFuzz"/>);
/// <c>decoders MODEL FOLDER [posters]</c> compares SkiaSharp and ImageSharp as a model's imaging library (<see cref="DecoderComparison"/>);
/// <c>recall CONNECTION [posters] [queries] [k] [--from CATALOGUE.db]</c> measures the PostgreSQL store's recall against exact search (<see cref="PgvectorRecall"/>).
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

        if (args is ["floor", var floorModel, ..])
        {
            var workers = args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount;
            var intraOp = args.Length > 3 ? int.Parse(args[3]) : 1;
            var seconds = args.Length > 4 ? int.Parse(args[4]) : 20;
            var pause = args.Length > 5 ? int.Parse(args[5]) : 0;
            return FloorRun.Run(floorModel, workers, intraOp, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(pause));
        }

        if (args is ["bare", var bareModel, ..])
        {
            var workers = args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount;
            var intraOp = args.Length > 3 ? int.Parse(args[3]) : 1;
            var seconds = args.Length > 4 ? int.Parse(args[4]) : 20;
            return BareFloor.Run(bareModel, workers, intraOp, TimeSpan.FromSeconds(seconds));
        }

        if (args is ["plot", var throughputPng, var latencyPng, .. var csvFiles])
        {
            return ConcurrencyPlot.Draw(throughputPng, latencyPng, csvFiles);
        }

        if (args is ["soak", var soakUrl, var pid, ..])
        {
            var total = args.Length > 3 ? int.Parse(args[3]) : 10_000;
            var concurrency = args.Length > 4 ? int.Parse(args[4]) : 8;
            var model = args.Length > 5 ? args[5] : "poster-genre-fast";
            return await SoakRun.RunAsync(soakUrl, int.Parse(pid), total, concurrency, model, model);
        }

        if (args is ["reloads", var reloadUrl, var reloadPid, ..])
        {
            var reloads = args.Length > 3 ? int.Parse(args[3]) : 20;
            return await ReloadRun.RunAsync(reloadUrl, int.Parse(reloadPid), reloads, args.Length > 4 ? args[4] : "poster-genre");
        }

        if (args is ["fuzz", var fuzzUrl, ..])
        {
            var cases = args.Length > 2 ? int.Parse(args[2]) : 5_000;
            var seed = args.Length > 3 ? int.Parse(args[3]) : 1;
            return await HttpFuzz.RunAsync(fuzzUrl, cases, seed);
        }

        if (args is ["decoders", var decoderModel, var folder, ..])
        {
            return DecoderComparison.Run(decoderModel, folder, args.Length > 3 ? int.Parse(args[3]) : 500);
        }

        if (args is ["recall", var server, ..])
        {
            var from = Array.IndexOf(args, "--from") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            var numbers = args.Skip(2).TakeWhile(a => a != "--from").Select(int.Parse).ToArray();
            return await PgvectorRecall.RunAsync(server, numbers.ElementAtOrDefault(0) is > 0 and var n ? n : 100_000,
                numbers.ElementAtOrDefault(1) is > 0 and var q ? q : 200, numbers.ElementAtOrDefault(2) is > 0 and var k ? k : 10, from);
        }

        if (args is ["peak", var library])
        {
            return DecoderComparison.Peak(Enum.Parse<PosterGenre.Imaging.ImagingLibrary>(library));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
