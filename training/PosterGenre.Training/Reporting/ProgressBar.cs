using System.Diagnostics;

namespace PosterGenre.Training.Reporting;

/// <summary>
/// A one-line progress bar on a terminal (epoch, batch, loss, images/s, ETA); when output is
/// redirected to a log file it writes a plain line at each quarter of an epoch instead.
/// </summary>
public sealed class ProgressBar(int epochs, int batchesPerEpoch, TextWriter? writer = null)
{
    private readonly TextWriter output = writer ?? Console.Error;
    private readonly bool interactive = writer is null && !Console.IsErrorRedirected;
    private readonly Stopwatch total = Stopwatch.StartNew();
    private long images;
    private int lastQuarter = -1;

    public void Report(int epoch, int batch, double loss, int batchImages)
    {
        images += batchImages;
        var done = ((epoch - 1) * batchesPerEpoch) + batch;
        var rate = images / Math.Max(1e-9, total.Elapsed.TotalSeconds);
        var remaining = TimeSpan.FromSeconds(total.Elapsed.TotalSeconds / done * ((epochs * batchesPerEpoch) - done));
        var fraction = batch / (double)batchesPerEpoch;
        var line = $"epoch {epoch}/{epochs} {Bar(fraction)} {batch}/{batchesPerEpoch} loss {loss:F4} {rate:F1} img/s ETA {remaining:hh\\:mm\\:ss}";
        if (interactive)
        {
            output.Write($"\r{line}   ");
            return;
        }

        var quarter = (int)(fraction * 4);
        if (quarter != lastQuarter || batch == batchesPerEpoch)
        {
            lastQuarter = quarter;
            output.WriteLine(line);
        }
    }

    public void EndEpoch(string summary)
    {
        if (interactive)
        {
            output.WriteLine();
        }

        lastQuarter = -1;
        output.WriteLine(summary);
    }

    private static string Bar(double fraction)
    {
        const int width = 20;
        var filled = (int)Math.Round(fraction * width);
        return "[" + new string('#', filled) + new string('-', width - filled) + "]";
    }
}
