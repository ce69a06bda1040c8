using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text;
using PosterGenre.Catalogue;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Reporting;
using SkiaSharp;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>neighbours</c> command: is "posters like this one" any good (docs/similar.md)? A subset
/// of a split indexed by itself: for each poster, the share of its k nearest others (by the
/// embedding, by the probability vector, and at random) that share at least one labelled genre
/// with it, and the mean Jaccard overlap of their genre sets; a picture of a few posters and their
/// neighbours. With <c>--vote</c>, whether a vote of the nearest training posters adds to the
/// model's probabilities on validation, over a grid of k and mixing weights.
/// </summary>
public static class NeighboursCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model with an embedding output.", Required = true };
        var data = CommandSupport.DataOption();
        var split = new Option<string>("--split") { Description = "split.csv from training.", Required = true };
        var subset = new Option<string>("--subset") { Description = "test or validation: the posters indexed by themselves.", DefaultValueFactory = _ => "test" };
        subset.AcceptOnlyFromAmong("test", "validation");
        var k = new Option<int>("--k") { Description = "Neighbours per poster.", DefaultValueFactory = _ => 10 };
        var examples = new Option<int>("--examples") { Description = "Posters drawn with their neighbours in examples.jpg.", DefaultValueFactory = _ => 4 };
        var vote = new Option<bool>("--vote") { Description = "Also measure a vote of the nearest training posters mixed into the probabilities, on validation (needs a model trained on train only)." };
        var output = new Option<string>("--out") { Description = "Folder for neighbours.md, metrics.json and examples.jpg.", Required = true };
        var command = new Command("neighbours", "How well do a model's nearest posters share genres? A subset indexed by itself, against probability-vector and random neighbours; optionally a kNN vote on validation.") { model, data, split, subset, k, examples, vote, output };
        command.SetAction(result => CommandSupport.Run(() => Execute(result.GetValue(model)!, result.GetValue(data)!, result.GetValue(split)!, result.GetValue(subset)!,
            result.GetValue(k), result.GetValue(examples), result.GetValue(vote), result.GetValue(output)!, Console.Out)));
        return command;
    }

    public static int Execute(string modelPath, string dataDir, string splitFile, string subset, int k, int examples, bool vote, string outDir, TextWriter log, int minPositivesForMacro = Evaluator.MinPositivesForMacro)
    {
        var dataset = PosterDataset.Load(dataDir);
        var split = DatasetSplit.Load(splitFile);
        using var model = GenreModel.Load(modelPath, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = Environment.ProcessorCount });
        var identity = CatalogueIdentity.Of(model.Manifest);
        var posters = split.Select(dataset.Posters, Enum.Parse<SplitName>(subset, ignoreCase: true));
        var (probabilities, embeddings) = Embed(model, posters, log);
        var labels = posters.Select(p => p.Labels).ToArray();

        var byEmbedding = Agreement(labels, i => Nearest(embeddings, i, k));
        var byProbabilities = Agreement(labels, i => Nearest(Normalised(probabilities), i, k));
        var random = RandomAgreement(labels);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{model.Manifest.Name} {model.Manifest.Version}, {subset} split ({posters.Count} posters) indexed by itself, {k} nearest others per poster ({CpuDescription.Current}):")
            .AppendLine()
            .AppendLine("| neighbours by | share with a common genre | mean genre Jaccard |")
            .AppendLine("|---|---:|---:|")
            .AppendLine(CultureInfo.InvariantCulture, $"| embedding (cosine) | {byEmbedding.Shared:F3} | {byEmbedding.Jaccard:F3} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| probability vector (cosine) | {byProbabilities.Shared:F3} | {byProbabilities.Jaccard:F3} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| random (expected) | {random.Shared:F3} | {random.Jaccard:F3} |");
        object? voteFigures = null;
        if (vote)
        {
            var (table, figures) = Vote(model, dataset, split, log, minPositivesForMacro);
            report.AppendLine().Append(table);
            voteFigures = figures;
        }

        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "neighbours.md"), report.ToString());
        ReportWriter.WriteMetrics(outDir, new { model = $"{model.Manifest.Name} {model.Manifest.Version}", subset, posters = posters.Count, k, embedding = byEmbedding, probabilities = byProbabilities, random, vote = voteFigures, cpu = CpuDescription.Current });
        DrawExamples(Path.Combine(outDir, "examples.jpg"), posters, embeddings, examples, Math.Min(k, 6), dataset.Genres);
        log.Write(report);
        log.WriteLine($"wrote neighbours.md, metrics.json and examples.jpg in {outDir}");
        return 0;
    }

    public sealed record Figures(double Shared, double Jaccard);

    /// <summary>Probabilities and embeddings of the posters, in order, decoded and run by one worker per core.</summary>
    private static (float[][] Probabilities, float[][] Embeddings) Embed(GenreModel model, IReadOnlyList<PosterRecord> posters, TextWriter log)
    {
        var probabilities = new float[posters.Count][];
        var embeddings = new float[posters.Count][];
        var progress = new CountProgress("posters embedded", posters.Count, Console.Error);
        var batches = Enumerable.Range(0, posters.Count).Chunk(32).ToArray();
        Parallel.ForEach(Partitioner.Create(batches, EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, batch =>
        {
            var scored = model.OnInferenceThreadAsync(() => PosterScorer.Score(model, batch, i => model.Preprocessor.ToTensor(File.ReadAllBytes(posters[i].ImagePath)), embed: true)).GetAwaiter().GetResult();
            for (var j = 0; j < batch.Length; j++)
            {
                var poster = scored.Posters[j];
                probabilities[batch[j]] = poster.Probabilities ?? throw poster.Error!;
                embeddings[batch[j]] = poster.Embedding!;
            }

            lock (progress)
            {
                progress.Add(batch.Length);
            }
        });
        progress.Done();
        log.WriteLine($"embedded {posters.Count} posters with {model.Manifest.Name} {model.Manifest.Version}");
        return (probabilities, embeddings);
    }

    /// <summary>The <paramref name="k"/> rows nearest to row <paramref name="i"/> by dot product (cosine for unit rows), itself left out.</summary>
    private static int[] Nearest(float[][] rows, int i, int k) =>
        [.. Enumerable.Range(0, rows.Length).Where(j => j != i)
            .Select(j => (j, Score: System.Numerics.Tensors.TensorPrimitives.Dot(rows[i], rows[j])))
            .OrderByDescending(x => x.Score).ThenBy(x => x.j).Take(k).Select(x => x.j)];

    private static float[][] Normalised(float[][] rows) =>
        [.. rows.Select(r => r.Select(v => v / System.Numerics.Tensors.TensorPrimitives.Norm(r)).ToArray())];

    private static Figures Agreement(bool[][] labels, Func<int, int[]> neighbours)
    {
        double shared = 0, jaccard = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var near = neighbours(i);
            shared += near.Average(j => SharesGenre(labels[i], labels[j]) ? 1.0 : 0.0);
            jaccard += near.Average(j => Jaccard(labels[i], labels[j]));
        }

        return new Figures(shared / labels.Length, jaccard / labels.Length);
    }

    /// <summary>What a random other poster scores, exactly: the mean over every pair.</summary>
    private static Figures RandomAgreement(bool[][] labels) =>
        Agreement(labels, i => [.. Enumerable.Range(0, labels.Length).Where(j => j != i)]);

    private static bool SharesGenre(bool[] a, bool[] b) => a.Zip(b).Any(p => p.First && p.Second);

    private static double Jaccard(bool[] a, bool[] b)
    {
        var union = a.Zip(b).Count(p => p.First || p.Second);
        return union == 0 ? 0 : a.Zip(b).Count(p => p.First && p.Second) / (double)union;
    }

    /// <summary>
    /// The vote: validation posters' k nearest training posters by embedding, their labels averaged
    /// with the similarities as weights, mixed into the model's probabilities with weight alpha;
    /// macro ROC-AUC and AP on validation for each k and alpha (alpha 0 is the model alone).
    /// </summary>
    private static (string Table, object Figures) Vote(GenreModel model, PosterDataset dataset, DatasetSplit split, TextWriter log, int minPositivesForMacro)
    {
        var train = split.Select(dataset.Posters, SplitName.Train);
        var validation = split.Select(dataset.Posters, SplitName.Validation);
        var (_, trainEmbeddings) = Embed(model, train, log);
        var (probabilities, embeddings) = Embed(model, validation, log);
        var labels = validation.Select(p => p.Labels).ToArray();
        var genres = dataset.Genres.Length;
        int[] ks = [10, 25, 50];
        double[] alphas = [0, 0.1, 0.2, 0.3, 0.5];
        var rows = new List<object>();
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Vote of the nearest of {train.Count} training posters, on {validation.Count} validation posters (macro ROC-AUC / macro AP):")
            .AppendLine()
            .AppendLine("| k | " + string.Join(" | ", alphas.Select(a => $"alpha {a:F1}")) + " |")
            .AppendLine("|---|" + string.Concat(alphas.Select(_ => "---:|")));
        foreach (var k in ks)
        {
            var votes = embeddings.Select(e => VoteOf(e, trainEmbeddings, train, k, genres)).ToArray();
            var cells = new List<string>();
            foreach (var alpha in alphas)
            {
                var mixed = probabilities.Select((p, i) => p.Select((v, g) => (float)(((1 - alpha) * v) + (alpha * votes[i][g]))).ToArray()).ToArray();
                var result = Evaluator.Evaluate("vote", dataset.Genres, mixed, labels, model.Manifest.Thresholds, minPositivesForMacro: minPositivesForMacro);
                var (auc, ap) = (result.Summary["macroRocAuc"], result.Summary["macroAp"]);
                rows.Add(new { k, alpha, macroRocAuc = auc, macroAp = ap });
                cells.Add(FormattableString.Invariant($"{auc:F4} / {ap:F4}"));
            }

            table.AppendLine($"| {k} | {string.Join(" | ", cells)} |");
        }

        return (table.ToString(), rows);
    }

    /// <summary>
    /// The genres of the <paramref name="k"/> rows of <paramref name="index"/> nearest to <paramref name="query"/>
    /// (dot product), each neighbour's labels weighted by its similarity (negative ones count 0):
    /// per genre, the weighted share of neighbours that have it.
    /// </summary>
    internal static float[] VoteOf(float[] query, float[][] index, IReadOnlyList<PosterRecord> posters, int k, int genres)
    {
        var nearest = Enumerable.Range(0, index.Length).Select(j => (j, Score: System.Numerics.Tensors.TensorPrimitives.Dot(query, index[j])))
            .OrderByDescending(x => x.Score).Take(k).ToArray();
        var vote = new float[genres];
        var total = nearest.Sum(x => Math.Max(0, x.Score));
        foreach (var (j, score) in nearest)
        {
            for (var g = 0; g < genres; g++)
            {
                vote[g] += posters[j].Labels[g] ? Math.Max(0, score) / Math.Max(total, 1e-6f) : 0;
            }
        }

        return vote;
    }

    /// <summary>A few posters (evenly spread over the subset), each followed by its nearest others, with their labelled genres.</summary>
    private static void DrawExamples(string path, IReadOnlyList<PosterRecord> posters, float[][] embeddings, int count, int k, string[] genres)
    {
        const int width = 120, height = 180, label = 44, gap = 8;
        using var surface = SKSurface.Create(new SKImageInfo((k + 1) * (width + gap) + gap, Math.Max(1, count) * (height + label + gap) + gap));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 11);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var accent = new SKPaint { Color = new SKColor(0x2f, 0x6f, 0xde), Style = SKPaintStyle.Stroke, StrokeWidth = 3 };
        for (var row = 0; row < count; row++)
        {
            var i = (int)((row + 0.5) * posters.Count / count);
            int[] shown = [i, .. Nearest(embeddings, i, k)];
            for (var col = 0; col < shown.Length; col++)
            {
                var (x, y) = (gap + col * (width + gap), gap + row * (height + label + gap));
                using (var bitmap = SKBitmap.Decode(posters[shown[col]].ImagePath))
                {
                    canvas.DrawBitmap(bitmap, new SKRect(x, y, x + width, y + height));
                }

                if (col == 0)
                {
                    canvas.DrawRect(new SKRect(x, y, x + width, y + height), accent);
                }

                var names = genres.Where((_, g) => posters[shown[col]].Labels[g]).ToArray();
                canvas.DrawText(string.Join(", ", names.Take(2)), x, y + height + 14, font, ink);
                canvas.DrawText(names.Length > 2 ? string.Join(", ", names.Skip(2)) : "", x, y + height + 28, font, ink);
                canvas.DrawText(col == 0 ? posters[shown[col]].Id : FormattableString.Invariant($"{System.Numerics.Tensors.TensorPrimitives.Dot(embeddings[i], embeddings[shown[col]]):F2}"), x, y + height + 42, font, ink);
            }
        }

        using var image = surface.Snapshot();
        using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 85);
        File.WriteAllBytes(path, jpeg.ToArray());
    }
}
