using System.Diagnostics;

namespace PosterGenre.Training.Reporting;

/// <summary>
/// A one-line count of work done (done/total, items/s, ETA), redrawn on a terminal at most ten
/// times a second; nothing when the writer is not the terminal's standard error.
/// </summary>
public sealed class CountProgress(string what, int total, TextWriter writer)
{
    private readonly bool interactive = writer == Console.Error && !Console.IsErrorRedirected;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan lastDrawn = TimeSpan.MinValue;
    private int done;

    public void Add(int count)
    {
        done += count;
        if (interactive && (clock.Elapsed - lastDrawn).TotalMilliseconds >= 100)
        {
            lastDrawn = clock.Elapsed;
            var rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            var remaining = TimeSpan.FromSeconds((total - done) / Math.Max(1e-9, rate));
            writer.Write($"\r{done}/{total} {what}, {rate:F1}/s, ETA {remaining:hh\\:mm\\:ss}   ");
        }
    }

    public void Done()
    {
        if (interactive && lastDrawn != TimeSpan.MinValue)
        {
            writer.WriteLine();
        }
    }
}
