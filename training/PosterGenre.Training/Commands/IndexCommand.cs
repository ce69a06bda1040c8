using System.Collections.Concurrent;
using System.CommandLine;
using PosterGenre.Catalogue;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Reporting;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>index</c> command: a folder of posters into a catalogue the service searches (posters
/// like this one, docs/similar.md). One row per poster: id (the file name without extension), file
/// name, title and genres from an optional CSV, the model's predicted genres, a thumbnail and the
/// embedding. Each batch is one transaction, so an interrupted run keeps what it did, and indexing
/// a folder again adds only the posters not yet in the catalogue.
/// </summary>
public static class IndexCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "ONNX model with an embedding output (postergenre-train embed); its manifest is the same path with .json.", Required = true };
        var images = new Option<string[]>("--images") { Description = "Folders (or files) of posters; each poster's id is its file name without extension.", Required = true, AllowMultipleArgumentsPerToken = true };
        var csv = new Option<string?>("--csv") { Description = "Optional CSV with an Id column and, if it has them, Title and genres (one 0/1 column per genre, or a Genre column listing them)." };
        var output = new Option<string?>("--out") { Description = "Catalogue file (SQLite, the embedded store) to make or add to." };
        var postgres = new Option<string?>("--postgres") { Description = "Instead of --out: a PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...) whose database (with pgvector) holds the catalogue." };
        var workers = new Option<int?>("--workers") { Description = "Posters decoded and embedded at once, each with one thread (default: one per core)." };
        workers.Validators.Add(r =>
        {
            if (r.GetValue(workers) is < 1)
            {
                r.AddError("--workers: give 1 or more.");
            }
        });
        var command = new Command("index", "Add a folder of posters to a catalogue for \"posters like this one\": predicted genres, a thumbnail and the embedding of each.") { model, images, csv, output, postgres, workers };
        command.Validators.Add(r =>
        {
            if (new CatalogueLocation(r.GetValue(output), r.GetValue(postgres)).Problem is { } problem)
            {
                r.AddError($"--out or --postgres: {problem}.");
            }
        });
        command.SetAction(result => CommandSupport.Run(() =>
        {
            var manifest = ModelManifest.Load(Path.ChangeExtension(result.GetValue(model)!, ".json"));
            using var writer = new CatalogueLocation(result.GetValue(output), result.GetValue(postgres)).OpenForIndex(CatalogueIdentity.Of(manifest));
            return Execute(result.GetValue(model)!, result.GetValue(images)!, result.GetValue(csv), writer, Console.Error, workers: result.GetValue(workers));
        }));
        return command;
    }

    public static int Execute(string modelPath, IReadOnlyList<string> inputs, string? csvPath, ICatalogueWriter catalogue, TextWriter log, int batchSize = 32, int? workers = null)
    {
        var parallel = Math.Max(1, workers ?? Environment.ProcessorCount);
        using var model = GenreModel.Load(modelPath, settings: new OnnxSessionSettings { IntraOpThreads = 1, MaxConcurrentInferences = parallel });
        if (CatalogueIdentity.Of(model.Manifest).Mismatch(catalogue.Identity) is { } why)
        {
            throw new InvalidDataException($"Catalogue '{catalogue.Location}' cannot take posters embedded by {model.Manifest.Name} {model.Manifest.Version}: {why}.");
        }

        var labels = csvPath is null ? null : CatalogueCsv.Read(csvPath, model.Manifest.Genres);
        var known = catalogue.Ids();
        var files = PredictCommand.ListImages(inputs);
        var repeated = files.Count - files.DistinctBy(IdOf, StringComparer.Ordinal).Count();
        var fresh = files.DistinctBy(IdOf, StringComparer.Ordinal).Where(f => !known.Contains(IdOf(f))).ToList();
        var batches = fresh.Chunk(batchSize).ToArray();
        var progress = new CountProgress("posters indexed", fresh.Count, log);
        var refused = new ConcurrentBag<string>();
        var added = 0;
        var order = Partitioner.Create(Enumerable.Range(0, batches.Length), EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(order, new ParallelOptions { MaxDegreeOfParallelism = parallel }, b =>
        {
            var entries = model.OnInferenceThreadAsync(() => Embed(model, batches[b], labels, refused)).GetAwaiter().GetResult();
            lock (catalogue)
            {
                catalogue.Add(entries);
                added += entries.Count;
                progress.Add(batches[b].Length);
            }
        });

        progress.Done();
        log.WriteLine($"{added} posters added to {catalogue.Location} with {model.Manifest.Name} {model.Manifest.Version} by {parallel} workers; "
            + $"{files.Count - fresh.Count - repeated} already in it{(repeated > 0 ? $", {repeated} left out for an id repeated in the folder" : "")}"
            + (refused.IsEmpty ? "" : $"; {refused.Count} refused: {string.Join("; ", refused.Take(5))}{(refused.Count > 5 ? " ..." : "")}"));
        return 0;
    }

    public static string IdOf(string file) => Path.GetFileNameWithoutExtension(file);

    /// <summary>One batch through the one inference path, each poster's thumbnail made from the same bytes.</summary>
    private static List<CatalogueEntry> Embed(GenreModel model, string[] batch, IReadOnlyDictionary<string, CatalogueCsv.Row>? labels, ConcurrentBag<string> refused)
    {
        var thumbnails = new byte[batch.Length][];
        var scored = PosterScorer.Score(model, [.. Enumerable.Range(0, batch.Length)], i =>
        {
            var bytes = File.ReadAllBytes(batch[i]);
            var tensor = model.Preprocessor.ToTensor(bytes);
            thumbnails[i] = PosterThumbnail.Jpeg(bytes, model.Preprocessor.Limits);
            return tensor;
        }, embed: true).Posters;
        var manifest = model.Manifest;
        var entries = new List<CatalogueEntry>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            if (scored[i].Error is { } error)
            {
                refused.Add($"{Path.GetFileName(batch[i])}: {error.Message}");
                continue;
            }

            var id = IdOf(batch[i]);
            var row = labels?.GetValueOrDefault(id);
            var predicted = GenreDecision.Predict(scored[i].Probabilities!, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres).Select(g => manifest.Genres[g]).ToArray();
            entries.Add(new CatalogueEntry(new CataloguePoster(id, Path.GetFileName(batch[i]), row?.Title, row?.Genres, predicted), thumbnails[i], scored[i].Embedding!));
        }

        return entries;
    }
}
