using System.CommandLine;
using System.Collections.Concurrent;
using System.Globalization;
using CsvHelper;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Reporting;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>predict</c> command: the service's answer for every image in some folders or files,
/// without a service and without labels, as CSV (one row per image: top 3, predicted set, every
/// genre's probability, or why the image was refused). Same preprocessing, inference and decision
/// code as the API.
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model; its manifest is the same path with .json.", Required = true };
        var paths = new Argument<string[]>("images") { Description = "Image files, or folders whose images (.jpg, .jpeg, .png, .webp, .gif, .bmp) are all scored.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "CSV file to write; without it, the CSV goes to standard output." };
        var shard = new Option<string?>("--shard") { Description = "I/N: score only the I-th of N stable parts of the images (0 <= I < N, by a hash of each file name), so N workers can tag a catalogue at once; their CSVs together hold every image once (docs/deployment.md)." };
        shard.Validators.Add(r =>
        {
            if (r.GetValue(shard) is { } text && Shard.Parse(text) is null)
            {
                r.AddError($"--shard {text}: give I/N with 0 <= I < N, e.g. 0/4.");
            }
        });
        var workers = new Option<int?>("--workers") { Description = "Images decoded and scored at once, each with one thread (default: one per core)." };
        workers.Validators.Add(r =>
        {
            if (r.GetValue(workers) is < 1)
            {
                r.AddError("--workers: give 1 or more.");
            }
        });
        var command = new Command("predict", "The service's answer for each image, without a service: top 3, predicted set and every genre's probability, as CSV.") { model, paths, output, shard, workers };
        command.SetAction(result => CommandSupport.Run(() => PredictCommand.Execute(result.GetValue(model)!, result.GetValue(paths)!, result.GetValue(output), Console.Out, Console.Error,
            shard: result.GetValue(shard) is { } text ? Shard.Parse(text) : null, workers: result.GetValue(workers))));
        return command;
    }

    public static int Execute(string modelPath, IReadOnlyList<string> inputs, string? outPath, TextWriter stdout, TextWriter log, int batchSize = 32, Shard? shard = null, int? workers = null)
    {
        shard ??= Shard.All;
        var files = ListImages(inputs).Where(shard.Contains).ToList();
        var parallel = Math.Max(1, workers ?? Environment.ProcessorCount);

        // The floor's shape: one worker per core, each decoding its batch and running it with one
        // intra-op thread on one of the model's inference threads, on one shared session; batches
        // are written in input order.
        using var model = GenreModel.Load(modelPath, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = parallel });
        var manifest = model.Manifest;
        using var sink = outPath is null ? null : new StreamWriter(outPath);
        using var csv = new CsvWriter(sink ?? stdout, CultureInfo.InvariantCulture, leaveOpen: sink is null);
        foreach (var column in (string[])["file", "top1", "top2", "top3", "predicted", .. manifest.Genres, "error"])
        {
            csv.WriteField(column);
        }

        csv.NextRecord();
        var refused = new List<string>();
        var batches = files.Chunk(batchSize).ToArray();
        var progress = new CountProgress("images scored", files.Count, log);
        var scored = new PosterScore[]?[batches.Length];
        var written = 0;
        var writing = new object();
        // Batches handed out one at a time in order, so the ones waiting to be written stay few.
        var order = Partitioner.Create(Enumerable.Range(0, batches.Length), EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = parallel }, b =>
        {
            scored[b] = model.OnInferenceThreadAsync(() => PosterScorer.Score(model, batches[b], file => model.Preprocessor.ToTensor(File.ReadAllBytes(file)))).GetAwaiter().GetResult().Posters;
            lock (writing)
            {
                // Whichever worker finds the next batches in order ready writes them.
                for (; written < batches.Length && scored[written] is { } outcomes; written++)
                {
                    Write(csv, manifest, batches[written], outcomes, refused);
                    scored[written] = null;
                    progress.Add(batches[written].Length);
                }
            }
        });

        csv.Flush();
        progress.Done();
        log.WriteLine($"{files.Count - refused.Count} of {files.Count} images{(shard.Count > 1 ? $" (shard {shard})" : "")} scored with {manifest.Name} {manifest.Version} by {parallel} workers"
            + (refused.Count == 0 ? "" : $"; refused: {string.Join(", ", refused.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}"))} (the error column says why)")
            + (outPath is null ? "" : $"; written to {outPath}"));
        return 0;
    }

    private static void Write(CsvWriter csv, ModelManifest manifest, string[] batch, PosterScore[] outcomes, List<string> refused)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            csv.WriteField(batch[i]);
            if (outcomes[i].Error is { } error)
            {
                WriteEmpty(csv, 4 + manifest.Genres.Length);
                csv.WriteField(error.Message);
                refused.Add(error.Error.ToString());
            }
            else
            {
                WriteAnswer(csv, manifest, outcomes[i].Probabilities!);
            }

            csv.NextRecord();
        }
    }

    /// <summary>
    /// The files named, and the images directly in the folders named (by extension, as the
    /// dataset reader takes them), in name order within each folder.
    /// </summary>
    /// <exception cref="ArgumentException">A path does not exist, or no image is left.</exception>
    public static IReadOnlyList<string> ListImages(IReadOnlyList<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                files.AddRange(Directory.EnumerateFiles(input)
                    .Where(f => PosterDataset.ImageExtensions.Contains(Path.GetExtension(f).TrimStart('.').ToLowerInvariant()))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new ArgumentException($"'{input}' is neither a file nor a folder.");
            }
        }

        return files.Count > 0
            ? files
            : throw new ArgumentException($"No images in {string.Join(", ", inputs.Select(i => $"'{i}'"))} (looked for .{string.Join(", .", PosterDataset.ImageExtensions)}).");
    }

    private static void WriteAnswer(CsvWriter csv, ModelManifest manifest, float[] probabilities)
    {
        var top = GenreDecision.TopK(probabilities, 3);
        for (var k = 0; k < 3; k++)
        {
            csv.WriteField(k < top.Length ? manifest.Genres[top[k]] : "");
        }

        var predicted = GenreDecision.Predict(probabilities, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres);
        csv.WriteField(string.Join(';', predicted.Select(g => manifest.Genres[g])));
        foreach (var p in probabilities)
        {
            csv.WriteField(p.ToString("R", CultureInfo.InvariantCulture)); // shortest text that reads back as the same float, as the API's JSON
        }

        csv.WriteField("");
    }

    private static void WriteEmpty(CsvWriter csv, int fields)
    {
        for (var i = 0; i < fields; i++)
        {
            csv.WriteField("");
        }
    }
}
