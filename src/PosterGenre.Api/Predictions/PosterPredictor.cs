using System.Diagnostics;
using PosterGenre.Api.Observability;
using PosterGenre.Api.Serving;
using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Predictions;

/// <summary>Uploaded files to genre results: preprocess each file, run the usable ones as one batch.</summary>
public sealed class PosterPredictor(ServiceMetrics metrics)
{
    public PredictionResponse Predict(ServedModel model, IReadOnlyList<PosterUpload> uploads, bool explain = false, long maxDecodedPixels = long.MaxValue)
    {
        using var call = model.Model.BeginCall();
        long decodedPixels = 0;
        var results = new PosterResult?[uploads.Count];
        var tensors = new List<float[]>();
        var positions = new List<int>();
        var preprocessMs = new double[uploads.Count];
        for (var i = 0; i < uploads.Count; i++)
        {
            var upload = uploads[i];
            if (upload.Error is not null)
            {
                results[i] = Failed(upload.FileName, upload.Error);
                continue;
            }

            var clock = Stopwatch.StartNew();
            try
            {
                decodedPixels += PosterDecoder.ReadHeader(upload.Content).Pixels;
                if (decodedPixels > maxDecodedPixels)
                {
                    throw new PosterImageException(PosterImageError.TooManyPixels,
                        $"The request's images hold {decodedPixels:N0} pixels up to this one; at most {maxDecodedPixels:N0} are decoded per request (PosterGenre:Uploads:MaxDecodedPixelsPerRequest). Send it in another request.");
                }

                tensors.Add(model.Preprocessor.ToTensor(upload.Content));
                positions.Add(i);
            }
            catch (PosterImageException e)
            {
                results[i] = Failed(upload.FileName, UploadErrors.From(e));
            }

            preprocessMs[i] = clock.Elapsed.TotalMilliseconds;
            metrics.ObservePreprocessing(clock.Elapsed);
        }

        if (tensors.Count > 0)
        {
            var clock = Stopwatch.StartNew();
            var probabilities = model.Model.Predict(tensors);
            metrics.ObserveInference(model.Name, clock.Elapsed);
            var share = clock.Elapsed.TotalMilliseconds / tensors.Count;
            for (var k = 0; k < positions.Count; k++)
            {
                var i = positions[k];
                var result = Succeeded(model.Manifest, uploads[i].FileName, probabilities[k], preprocessMs[i] + share);
                results[i] = explain ? Explain(model, tensors[k], probabilities[k], result) : result;
            }
        }

        return new PredictionResponse(new ModelReference(model.Name, model.Manifest.Version), results!);
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
