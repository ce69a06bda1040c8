using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using PosterGenre.Inference;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Reporting;

/// <summary>Writes metrics.json, metrics.md, PNG plots and report.html into a run's output folder.</summary>
public static class ReportWriter
{
    public const string MetricsJson = "metrics.json";
    public const string MetricsTable = "metrics.md";
    public const string ReportHtml = "report.html";

    private static readonly (string Key, string Label, string Format)[] SummaryColumns =
    [
        ("macroRocAuc", "macro ROC-AUC", "F3"),
        ("macroAp", "macro AP", "F3"),
        ("microF1", "micro-F1 (1-3 rule)", "F3"),
        ("microF1NoRule", "micro-F1 (no rule)", "F3"),
        ("exactMatch", "exact match (1-3 rule)", "F3"),
        ("exactMatchNoRule", "exact match (no rule)", "F3"),
        ("precisionAt3", "P@3", "F3"),
        ("recallAt3", "R@3", "F3"),
        ("top3HitRate", "top-3 hit", "F3"),
        ("ece", "calibration error (ECE)", "F3"),
    ];

    public static void WriteMetrics(string outDir, object document)
    {
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, MetricsJson), JsonSerializer.Serialize(document, ModelManifest.JsonOptions) + "\n");
    }

    /// <summary>The readable table: one row per model, then per-genre figures of the first model.</summary>
    public static string Table(IReadOnlyList<EvaluationResult> results, string title)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        sb.AppendLine();
        sb.AppendLine("| model | posters | " + string.Join(" | ", SummaryColumns.Select(c => c.Label)) + " |");
        sb.AppendLine("|---|---:|" + string.Concat(SummaryColumns.Select(_ => "---:|")));
        foreach (var r in results)
        {
            sb.AppendLine($"| {r.Model} | {r.Posters} | " + string.Join(" | ", SummaryColumns.Select(c => Num(r.Summary[c.Key]))) + " |");
        }

        var first = results[0];
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Macro averages cover genres with enough positives (at least {Evaluator.MinPositivesForMacro} by default); excluded: {(first.ExcludedFromMacro.Length == 0 ? "none" : string.Join(", ", first.ExcludedFromMacro))}.");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"### Per genre: {first.Model}");
        sb.AppendLine();
        sb.AppendLine("| genre | positives | share | mean probability | ROC-AUC | AP | threshold | F1 |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in first.Genres)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {g.Genre}{(g.InMacro ? "" : " *")} | {g.Positives} | {g.Positives / (double)Math.Max(1, first.Posters):F3} | {g.MeanProbability:F3} | {Num(g.RocAuc)} | {Num(g.AveragePrecision)} | {g.Threshold:F3} | {g.F1:F3} |");
        }

        sb.AppendLine();
        sb.AppendLine("`*` not in the macro averages. share: the posters with the genre; mean probability: the model's average for it (about the share when the genre's probabilities do not read high or low).");
        return sb.ToString();
    }

    public static void WritePlots(string outDir, IReadOnlyList<EpochRecord> history, string[] genres, int[] trainCounts, int trainPosters, EvaluationResult model)
    {
        var plots = Path.Combine(outDir, "plots");
        Directory.CreateDirectory(plots);
        if (history.Count > 0)
        {
            var epochs = history.Select(h => (double)h.Epoch).ToArray();
            var loss = new ScottPlot.Plot();
            loss.Add.Scatter(epochs, history.Select(h => h.TrainLoss).ToArray()).LegendText = "train loss";
            if (history.All(h => h.ValidationLoss is not null))
            {
                loss.Add.Scatter(epochs, history.Select(h => h.ValidationLoss!.Value).ToArray()).LegendText = "validation loss";
            }

            loss.Title("Loss per epoch");
            loss.XLabel("epoch");
            loss.ShowLegend();
            loss.SavePng(Path.Combine(plots, "loss.png"), 800, 450);
        }

        if (history.Count > 0 && history.All(h => h.ValidationMap is not null))
        {
            var epochs = history.Select(h => (double)h.Epoch).ToArray();
            var map = new ScottPlot.Plot();
            map.Add.Scatter(epochs, history.Select(h => h.ValidationMap!.Value).ToArray()).LegendText = "validation mAP";
            if (history.All(h => h.RawValidationMap is not null))
            {
                map.Add.Scatter(epochs, history.Select(h => h.RawValidationMap!.Value).ToArray()).LegendText = "validation mAP, raw weights (the line above is their average)";
                map.ShowLegend();
            }

            map.Title("Validation mAP per epoch");
            map.XLabel("epoch");
            map.SavePng(Path.Combine(plots, "validation-map.png"), 800, 450);
        }

        HorizontalBars(
            Path.Combine(plots, "genre-frequencies.png"),
            "Training posters per genre",
            genres,
            [.. trainCounts.Select(c => (double)c)],
            $"posters (of {trainPosters})");
        HorizontalBars(
            Path.Combine(plots, "genre-auc.png"),
            $"Test ROC-AUC per genre: {model.Model}",
            genres,
            [.. model.Genres.Select(g => double.IsNaN(g.RocAuc) ? 0 : g.RocAuc)],
            "ROC-AUC (0 where undefined)");
        Reliability(Path.Combine(plots, "calibration.png"), model);
    }

    /// <summary>The reliability diagram: each bin's mean probability against the share of its pairs that were right.</summary>
    private static void Reliability(string path, EvaluationResult model)
    {
        var filled = model.Calibration.Where(b => b.Count > 0).ToArray();
        var plot = new ScottPlot.Plot();
        plot.Add.Line(0, 0, 1, 1).LegendText = "calibrated";
        plot.Add.Scatter(filled.Select(b => b.MeanProbability).ToArray(), filled.Select(b => b.Observed).ToArray()).LegendText = model.Model;
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Test calibration: {model.Model} (expected calibration error {model.Summary["ece"]:F3})"));
        plot.XLabel("mean probability in the bin (10 bins over every poster and genre)");
        plot.YLabel("share of those that were right");
        plot.ShowLegend();
        plot.SavePng(path, 800, 450);
    }

    public static void WriteHtml(string outDir, string title, string tableMarkdown, ModelManifest manifest)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) + "</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;margin:.5em 0}pre{background:#f6f6f6;padding:1em;overflow-x:auto}</style></head><body>");
        sb.AppendLine("<h1>" + WebUtility.HtmlEncode(title) + "</h1>");
        sb.AppendLine("<p>Model <b>" + WebUtility.HtmlEncode(manifest.Name) + "</b> " + WebUtility.HtmlEncode(manifest.Version)
            + ", architecture " + WebUtility.HtmlEncode(manifest.Architecture) + ", input " + manifest.Preprocessing.Width + "x" + manifest.Preprocessing.Height
            + ", " + (manifest.MacsPerPoster / 1e6)?.ToString("F0", CultureInfo.InvariantCulture) + " M MACs per poster, test-time augmentation " + manifest.TestTimeAugmentation + ".</p>");
        sb.AppendLine(MarkdownTablesToHtml(tableMarkdown));
        foreach (var (file, caption) in new[]
        {
            ("loss.png", "Loss per epoch"), ("validation-map.png", "Validation mAP per epoch"),
            ("genre-frequencies.png", "Genre frequencies"), ("genre-auc.png", "Per-genre ROC-AUC"),
            ("calibration.png", "Calibration (reliability diagram)"),
        })
        {
            if (File.Exists(Path.Combine(outDir, "plots", file)))
            {
                sb.AppendLine("<h2>" + caption + "</h2><img src=\"plots/" + file + "\" alt=\"" + caption + "\">");
            }
        }

        sb.AppendLine("<h2>Training command</h2><pre>" + WebUtility.HtmlEncode(manifest.TrainingCommand ?? "") + "</pre>");
        sb.AppendLine("</body></html>");
        File.WriteAllText(Path.Combine(outDir, ReportHtml), sb.ToString());
    }

    private static void HorizontalBars(string path, string title, string[] labels, double[] values, string axis)
    {
        var plot = new ScottPlot.Plot();
        var bars = plot.Add.Bars(values);
        bars.Horizontal = true;
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Title(title);
        plot.XLabel(axis);
        plot.Axes.Margins(left: 0, bottom: 0.02);
        plot.SavePng(path, 800, 700);
    }

    private static string Num(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F3", CultureInfo.InvariantCulture);

    private static string MarkdownTablesToHtml(string markdown)
    {
        var sb = new StringBuilder();
        var inTable = false;
        foreach (var line in markdown.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => WebUtility.HtmlEncode(c.Trim())).ToArray();
                if (cells.All(c => c.Trim(':').Trim('-').Length == 0))
                {
                    continue;
                }

                if (!inTable)
                {
                    sb.AppendLine("<table><tr>" + string.Concat(cells.Select(c => $"<th>{c}</th>")) + "</tr>");
                    inTable = true;
                    continue;
                }

                sb.AppendLine("<tr>" + string.Concat(cells.Select(c => $"<td>{c}</td>")) + "</tr>");
                continue;
            }

            if (inTable)
            {
                sb.AppendLine("</table>");
                inTable = false;
            }

            if (line.StartsWith("### "))
            {
                sb.AppendLine("<h3>" + WebUtility.HtmlEncode(line[4..]) + "</h3>");
            }
            else if (line.StartsWith("## "))
            {
                sb.AppendLine("<h2>" + WebUtility.HtmlEncode(line[3..]) + "</h2>");
            }
            else if (line.Length > 0)
            {
                sb.AppendLine("<p>" + WebUtility.HtmlEncode(line.Replace("`", "")) + "</p>");
            }
        }

        if (inTable)
        {
            sb.AppendLine("</table>");
        }

        return sb.ToString();
    }
}
