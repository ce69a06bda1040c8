using System.CommandLine;
using System.Globalization;
using PosterGenre.Imaging;
using PosterGenre.Training.Data;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>inspect</c> command: what a dataset folder holds before training on it: rows kept and
/// skipped, genre frequencies, genres per poster, and image sizes and aspect ratios read from the
/// headers (the measurement behind the input size and resize policy).
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var data = CommandSupport.DataOption();
        var command = new Command("inspect", "Summarise a dataset folder: skipped rows, genre frequencies, image sizes and aspect ratios.") { data };
        command.SetAction(result => CommandSupport.Run(() => InspectCommand.Execute(result.GetValue(data)!, Console.Out)));
        return command;
    }

    public static int Execute(string dataDir, TextWriter log)
    {
        var dataset = PosterDataset.Load(dataDir);
        var posters = dataset.Posters;
        log.WriteLine($"{posters.Count} posters kept, {dataset.Skipped.Count} rows skipped");
        foreach (var group in dataset.Skipped.GroupBy(s => s.Reason))
        {
            log.WriteLine($"  skipped {group.Count()}: {group.Key}");
        }

        var perPoster = posters.GroupBy(p => p.LabelCount).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        log.WriteLine($"genres per poster: {string.Join(", ", perPoster)} (mean {posters.Average(p => p.LabelCount):F2})");
        log.WriteLine("genre frequencies:");
        for (var g = 0; g < dataset.Genres.Length; g++)
        {
            var count = posters.Count(p => p.Labels[g]);
            log.WriteLine(FormattableString.Invariant($"  {dataset.Genres[g],-12} {count,5} {100.0 * count / posters.Count,6:F2}%"));
        }

        var headers = new List<ImageHeader>();
        var unreadable = 0;
        foreach (var poster in posters)
        {
            try
            {
                headers.Add(PosterDecoder.ReadHeader(File.ReadAllBytes(poster.ImagePath)));
            }
            catch (PosterImageException)
            {
                unreadable++;
            }
        }

        var aspects = headers.Select(h => (double)h.Width / h.Height).Order().ToArray();
        double Q(double q) => aspects[(int)(q * (aspects.Length - 1))];
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"image sizes: width {headers.Min(h => h.Width)}-{headers.Max(h => h.Width)} (median {Median(headers.Select(h => h.Width))}), height {headers.Min(h => h.Height)}-{headers.Max(h => h.Height)} (median {Median(headers.Select(h => h.Height))}); {unreadable} unreadable headers"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"aspect width/height: p5 {Q(0.05):F3}, p25 {Q(0.25):F3}, median {Q(0.5):F3}, p75 {Q(0.75):F3}, p95 {Q(0.95):F3} (2:3 = 0.667); within 5% of 2:3: {aspects.Count(a => Math.Abs(a / (2.0 / 3) - 1) <= 0.05) / (double)aspects.Length:P1}"));
        return 0;
    }

    private static int Median(IEnumerable<int> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
