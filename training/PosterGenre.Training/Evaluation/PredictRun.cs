using System.Globalization;
using CsvHelper;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;

namespace PosterGenre.Training.Evaluation;

/// <summary>
/// The <c>predict</c> command: the service's answer for every image in some folders or files,
/// without a service and without labels, as CSV (one row per image: top 3, predicted set, every
/// genre's probability, or why the image was refused). Same preprocessing, inference and decision
/// code as the API.
/// </summary>
public static class PredictRun
{
    public static int Execute(string modelPath, IReadOnlyList<string> inputs, string? outPath, TextWriter stdout, TextWriter log, int batchSize = 32, Shard? shard = null)
    {
        shard ??= Shard.All;
        var files = ListImages(inputs).Where(shard.Contains).ToList();
        using var model = GenreModel.Load(modelPath);
        var manifest = model.Manifest;
        using var sink = outPath is null ? null : new StreamWriter(outPath);
        using var csv = new CsvWriter(sink ?? stdout, CultureInfo.InvariantCulture, leaveOpen: sink is null);
        foreach (var column in (string[])["file", "top1", "top2", "top3", "predicted", .. manifest.Genres, "error"])
        {
            csv.WriteField(column);
        }

        csv.NextRecord();
        var refused = new List<string>();
        foreach (var batch in files.Chunk(batchSize))
        {
            var tensors = new List<float[]>();
            var errors = new string?[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                try
                {
                    tensors.Add(model.Preprocessor.ToTensor(File.ReadAllBytes(batch[i])));
                }
                catch (PosterImageException e)
                {
                    errors[i] = e.Message;
                    refused.Add(e.Error.ToString());
                }
            }

            var probabilities = model.Predict(tensors);
            var next = 0;
            for (var i = 0; i < batch.Length; i++)
            {
                csv.WriteField(batch[i]);
                if (errors[i] is { } error)
                {
                    WriteEmpty(csv, 4 + manifest.Genres.Length);
                    csv.WriteField(error);
                }
                else
                {
                    WriteAnswer(csv, manifest, probabilities[next++]);
                }

                csv.NextRecord();
            }
        }

        csv.Flush();
        log.WriteLine($"{files.Count - refused.Count} of {files.Count} images{(shard.Count > 1 ? $" (shard {shard})" : "")} scored with {manifest.Name} {manifest.Version}"
            + (refused.Count == 0 ? "" : $"; refused: {string.Join(", ", refused.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}"))} (the error column says why)")
            + (outPath is null ? "" : $"; written to {outPath}"));
        return 0;
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
