namespace PosterGenre.Benchmarks;

/// <summary>A running service's memory, as the soak and the reload run read it.</summary>
internal static class ServiceMemory
{
    /// <summary>Resident set size of the process, from /proc (0 where there is none).</summary>
    public static long Rss(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>The service's <c>postergenre_gc_committed_bytes</c> from /metrics.</summary>
    public static async Task<long> GcCommittedAsync(HttpClient client)
    {
        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("postergenre_gc_committed_bytes ", StringComparison.Ordinal));
        return (long)double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
