using System.Globalization;

namespace PosterGenre.Benchmarks;

/// <summary>
/// Draws what scripts/bench.sh measured against concurrency, one series per model file: posters/s
/// with each file's floor as a dashed line, and p50/p99 latency. Reads the CSVs bench.sh writes
/// (<c>file,clients,posters_per_s,p50,p95,p99</c>; clients 0 is the floor).
/// </summary>
internal static class ConcurrencyPlot
{
    public static int Draw(string throughputPng, string latencyPng, IReadOnlyList<string> csvFiles)
    {
        var rows = csvFiles.SelectMany(f => File.ReadLines(f).Skip(1)).Select(l => l.Split(',')).Select(c => (
            File: c[0], Clients: int.Parse(c[1], CultureInfo.InvariantCulture), Rate: double.Parse(c[2], CultureInfo.InvariantCulture),
            P50: double.Parse(c[3], CultureInfo.InvariantCulture), P99: double.Parse(c[5], CultureInfo.InvariantCulture))).ToList();
        var throughput = new ScottPlot.Plot();
        var latency = new ScottPlot.Plot();
        foreach (var series in rows.GroupBy(r => r.File))
        {
            var http = series.Where(r => r.Clients > 0).OrderBy(r => r.Clients).ToArray();
            double[] clients = [.. http.Select(r => (double)r.Clients)];
            var served = throughput.Add.Scatter(clients, http.Select(r => r.Rate).ToArray());
            served.LegendText = $"{series.Key}: HTTP";
            if (series.FirstOrDefault(r => r.Clients == 0) is { File: not null } floor)
            {
                var line = throughput.Add.HorizontalLine(floor.Rate);
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.Color = served.Color;
                line.LegendText = $"{series.Key}: floor (in process, a worker per core)";
            }

            latency.Add.Scatter(clients, http.Select(r => r.P50).ToArray()).LegendText = $"{series.Key}: p50";
            latency.Add.Scatter(clients, http.Select(r => r.P99).ToArray()).LegendText = $"{series.Key}: p99";
        }

        throughput.Title("Single-poster requests: posters/s against concurrent clients");
        throughput.XLabel("concurrent clients");
        throughput.YLabel("posters/s");
        throughput.Axes.SetLimitsY(0, rows.Max(r => r.Rate) * 1.15);
        throughput.ShowLegend();
        throughput.SavePng(throughputPng, 800, 450);
        latency.Title("Single-poster requests: latency against concurrent clients");
        latency.XLabel("concurrent clients");
        latency.YLabel("ms");
        latency.ShowLegend();
        latency.SavePng(latencyPng, 800, 450);
        Console.WriteLine($"wrote {throughputPng} and {latencyPng}");
        return 0;
    }
}
