using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// Distillation targets: the mean probabilities of one or more trained models (the teachers) for
/// every cached poster, blended into the labels the student trains on
/// (<c>(1 - weight) * label + weight * teacher</c>). A teacher's soft scores carry what a hard
/// label cannot, such as how much a poster looks like a thriller although it is not listed as one;
/// an ensemble of teachers averages out what each run learnt by chance.
/// </summary>
public sealed class TeacherTargets
{
    internal TeacherTargets(float[][] probabilities, double weight, IReadOnlyList<string> names)
    {
        Probabilities = probabilities;
        Weight = weight;
        Names = names;
    }

    /// <summary>Mean teacher probabilities, indexed like the pixel cache.</summary>
    public float[][] Probabilities { get; }

    /// <summary>How much of each target is the teachers' (0: the labels alone, 1: the teachers alone).</summary>
    public double Weight { get; }

    /// <summary>Each teacher as "name version (file)".</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Scores every cached poster with each teacher (ONNX Runtime, through the service's own
    /// inference code) and averages them. Each teacher sees the posters as its manifest says: its
    /// own mean/std on the cached pixels, and a decode of its own when it takes another input size
    /// or resize policy than the student (a larger network can teach a smaller one).
    /// </summary>
    public static TeacherTargets Compute(IReadOnlyList<string> modelPaths, double weight, PixelCache rawCache, string[] genres)
    {
        if (modelPaths.Count == 0)
        {
            throw new ArgumentException("Distillation needs at least one teacher model.", nameof(modelPaths));
        }

        if (weight is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The teachers' share of the targets must be above 0 and at most 1.");
        }

        var all = Enumerable.Range(0, rawCache.Count).ToArray();
        var sum = all.Select(_ => new float[genres.Length]).ToArray();
        var names = new List<string>();
        foreach (var path in modelPaths)
        {
            if (!File.Exists(path))
            {
                throw new DatasetException($"--teacher {path}: no such model file.");
            }

            using var teacher = GenreModel.Load(path);
            var manifest = teacher.Manifest;
            if (!manifest.Genres.SequenceEqual(genres))
            {
                throw new DatasetException($"--teacher {path}: its genres ({string.Join(",", manifest.Genres)}) are not this dataset's ({string.Join(",", genres)}).");
            }

            var probabilities = OnnxScoring.Predict(teacher, TeacherView(rawCache, teacher, path), all);
            for (var i = 0; i < all.Length; i++)
            {
                for (var g = 0; g < genres.Length; g++)
                {
                    sum[i][g] += probabilities[i][g];
                }
            }

            names.Add($"{manifest.Name} {manifest.Version} ({path})");
        }

        foreach (var row in sum)
        {
            for (var g = 0; g < row.Length; g++)
            {
                row[g] /= modelPaths.Count;
            }
        }

        return new TeacherTargets(sum, weight, names);
    }

    /// <summary>The student's cached pixels if the teacher takes the same input, else the same posters decoded for the teacher.</summary>
    private static PixelCache TeacherView(PixelCache rawCache, GenreModel teacher, string path)
    {
        var spec = teacher.Manifest.Preprocessing;
        var student = rawCache.Spec;
        if (spec.Width == student.Width && spec.Height == student.Height && spec.Resize == student.Resize)
        {
            return rawCache;
        }

        var skipped = new List<SkippedRow>();
        var own = PixelCache.Build(rawCache.Posters, teacher.Preprocessor, skipped);
        return skipped.Count == 0
            ? own
            : throw new DatasetException($"--teacher {path}: {skipped.Count} poster(s) could not be decoded again at its {spec.Width}x{spec.Height} input, e.g. {skipped[0].Id}: {skipped[0].Reason}");
    }

    /// <summary>
    /// The blended target of one poster: (1 - weight) * labels + weight * teachers, the labels
    /// smoothed first (<see cref="BatchMaker.Target"/>).
    /// </summary>
    public float[] Blend(int index, bool[] labels, double smoothing = 0)
    {
        var teacher = Probabilities[index];
        var result = new float[labels.Length];
        for (var g = 0; g < labels.Length; g++)
        {
            result[g] = (float)(((1 - Weight) * BatchMaker.Target(labels[g], smoothing)) + (Weight * teacher[g]));
        }

        return result;
    }
}
