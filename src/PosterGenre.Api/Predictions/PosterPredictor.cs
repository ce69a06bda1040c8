using System.Diagnostics;
using PosterGenre.Api.Observability;
using PosterGenre.Api.Serving;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Predictions;

/// <summary>
/// Uploaded files to genre results, through the one inference path (<see cref="PosterScorer"/>):
/// the readable ones are decoded on the request's thread and run as one batch on one of the
/// model's inference threads (decoding there too was measured to hold more native memory over a
/// soak: docs/reliability.md), into input tensors the model's pool lends for the request.
/// </summary>
public sealed class PosterPredictor(ServiceMetrics metrics)
{
    public PredictionResponse Predict(ServedModel model, IReadOnlyList<PosterUpload> uploads, bool explain = false, long maxDecodedPixels = long.MaxValue) =>
        Predict(model, uploads, explain, maxDecodedPixels, embed: false).Response;

    /// <summary>The genres of each upload and, with <paramref name="embed"/>, its embedding (null for a file that failed), in upload order.</summary>
    public (PredictionResponse Response, float[]?[] Embeddings) Predict(ServedModel model, IReadOnlyList<PosterUpload> uploads, bool explain, long maxDecodedPixels, bool embed)
    {
        using var call = model.Model.BeginCall();
        var readable = uploads.Where(u => u.Error is null).ToArray();
        var scored = Score(model, readable, maxDecodedPixels, embed);
        try
        {
            var next = 0; // the readable uploads' outcomes come in upload order
            float[]?[] embeddings = [.. uploads.Select(u => u.Error is null ? scored.Posters[next++].Embedding : null)];
            return (Respond(model, uploads, scored, explain), embeddings);
        }
        finally
        {
            foreach (var poster in scored.Posters)
            {
                if (poster.Input is { } tensor)
                {
                    model.Tensors.Return(tensor);
                }
            }
        }
    }

    private PredictionResponse Respond(ServedModel model, IReadOnlyList<PosterUpload> uploads, ScoredPosters scored, bool explain)
    {
        if (scored.Posters.Any(p => p.Probabilities is not null))
        {
            metrics.ObserveInference(model.Name, scored.Inference);
        }

        var share = scored.Inference.TotalMilliseconds / Math.Max(1, scored.Posters.Count(p => p.Probabilities is not null));
        var results = new List<PosterResult>(uploads.Count);
        var next = 0; // the readable uploads' outcomes come in upload order
        foreach (var upload in uploads)
        {
            results.Add(upload.Error is { } error ? Failed(upload.FileName, error) : Result(model, upload.FileName, scored.Posters[next++], share, explain));
        }

        return new PredictionResponse(new ModelReference(model.Name, model.Manifest.Version), results);
    }

    /// <summary>Decodes the readable uploads within the request's pixel budget and scores them.</summary>
    private static ScoredPosters Score(ServedModel model, PosterUpload[] readable, long maxDecodedPixels, bool embed)
    {
        long decodedPixels = 0;
        return PosterScorer.Score(model.Model, readable, upload =>
        {
            decodedPixels += model.Preprocessor.ReadHeader(upload.Content).Pixels;
            if (decodedPixels > maxDecodedPixels)
            {
                throw new PosterImageException(PosterImageError.TooManyPixels,
                    $"The request's images hold {decodedPixels:N0} pixels up to this one; at most {maxDecodedPixels:N0} are decoded per request (PosterGenre:Uploads:MaxDecodedPixelsPerRequest). Send it in another request.");
            }

            var tensor = model.Tensors.Get();
            try
            {
                model.Preprocessor.ToTensor(upload.Content, tensor);
                return tensor;
            }
            catch
            {
                model.Tensors.Return(tensor);
                throw;
            }
        }, embed: embed);
    }

    private PosterResult Result(ServedModel model, string fileName, PosterScore outcome, double inferenceShareMs, bool explain)
    {
        metrics.ObservePreprocessing(outcome.Preprocessing);
        if (outcome.Error is { } error)
        {
            return Failed(fileName, UploadErrors.From(error));
        }

        var result = Succeeded(model.Manifest, fileName, outcome.Probabilities!, outcome.Preprocessing.TotalMilliseconds + inferenceShareMs);
        return explain ? Explain(model, outcome.Input!, outcome.Probabilities!, result) : result;
    }

    /// <summary>Adds the occlusion maps of the top 3 genres, and their time, to a result.</summary>
    private PosterResult Explain(ServedModel model, float[] poster, float[] probabilities, PosterResult result)
    {
        var clock = Stopwatch.StartNew();
        var top = GenreDecision.TopK(probabilities, 3);
        var drops = OcclusionMap.Compute(model.Model, poster, top);
        metrics.ObserveInference(model.Name, clock.Elapsed);
        var genres = model.Manifest.Genres;
        return result with
        {
            Explanation = new PosterExplanation(OcclusionMap.Columns, OcclusionMap.Rows, top.Select((g, i) => (genres[g], drops[i])).ToDictionary()),
            ElapsedMs = Math.Round(result.ElapsedMs!.Value + clock.Elapsed.TotalMilliseconds, 2),
        };
    }

    private PosterResult Failed(string fileName, PosterError error)
    {
        metrics.Reject(error.Code);
        return new PosterResult { FileName = fileName, Error = error };
    }

    private static PosterResult Succeeded(ModelManifest manifest, string fileName, float[] probabilities, double elapsedMs)
    {
        var genres = manifest.Genres;
        var byGenre = new Dictionary<string, float>(genres.Length);
        for (var g = 0; g < genres.Length; g++)
        {
            byGenre[genres[g]] = probabilities[g];
        }

        return new PosterResult
        {
            FileName = fileName,
            Probabilities = byGenre,
            Top3 = [.. GenreDecision.TopK(probabilities, 3).Select(g => new GenreProbability(genres[g], probabilities[g]))],
            Predicted = [.. GenreDecision.Predict(probabilities, manifest.Thresholds, manifest.MinGenres, manifest.MaxGenres).Select(g => genres[g])],
            ElapsedMs = Math.Round(elapsedMs, 2),
        };
    }
}
