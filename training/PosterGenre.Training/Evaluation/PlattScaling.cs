using System.Globalization;

namespace PosterGenre.Training.Evaluation;

/// <summary>
/// One scale and one bias on the logit, shared by all genres: p' = sigmoid(scale x logit(p) + bias),
/// fitted by maximum likelihood on held-out (poster, genre) pairs (Platt 1999; with the bias fixed
/// at 0 it is the temperature scaling of Guo et al. 2017). Shared by all genres and increasing, so
/// it keeps every genre's ranking of posters and every poster's ranking of genres.
/// </summary>
public readonly record struct PlattScaling(double Scale, double Bias)
{
    public static readonly PlattScaling Identity = new(1, 0);

    /// <summary>Probabilities are clamped this far from 0 and 1 before their logit is taken.</summary>
    private const double Epsilon = 1e-7;

    /// <summary>
    /// Newton's method on the mean binary cross-entropy, which is convex in (scale, bias); each step
    /// is halved until the loss does not rise.
    /// </summary>
    public static PlattScaling Fit(float[][] probabilities, bool[][] labels)
    {
        var logits = probabilities.SelectMany(p => p.Select(x => Logit(x))).ToArray();
        var truth = labels.SelectMany(l => l).ToArray();
        if (logits.Length == 0 || logits.Length != truth.Length)
        {
            throw new ArgumentException($"Calibration needs as many labels as probabilities, at least one ({logits.Length} probabilities, {truth.Length} labels).");
        }

        if (truth.All(t => t) || !truth.Contains(true))
        {
            throw new ArgumentException("Calibration needs both right and wrong (poster, genre) pairs; these labels are all one value.");
        }

        double a = 1, b = 0;
        var loss = Loss(logits, truth, a, b);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
            for (var i = 0; i < logits.Length; i++)
            {
                var p = Sigmoid((a * logits[i]) + b);
                var residual = p - (truth[i] ? 1 : 0);
                var weight = Math.Max(p * (1 - p), 1e-12);
                ga += residual * logits[i];
                gb += residual;
                haa += weight * logits[i] * logits[i];
                hab += weight * logits[i];
                hbb += weight;
            }

            var determinant = (haa * hbb) - (hab * hab);
            if (determinant <= 0)
            {
                break;
            }

            var stepA = ((hbb * ga) - (hab * gb)) / determinant;
            var stepB = ((haa * gb) - (hab * ga)) / determinant;
            var step = 1.0;
            double next;
            while ((next = Loss(logits, truth, a - (step * stepA), b - (step * stepB))) > loss && step > 1e-6)
            {
                step /= 2;
            }

            if (next > loss)
            {
                break;
            }

            a -= step * stepA;
            b -= step * stepB;
            var improvement = loss - next;
            loss = next;
            if (improvement < 1e-12 && Math.Abs(step * stepA) + Math.Abs(step * stepB) < 1e-9)
            {
                break;
            }
        }

        return new PlattScaling(a, b);
    }

    /// <summary>The corrected probability; 0 and 1 stay 0 and 1 (a threshold of 1 still means "never").</summary>
    public double Apply(double probability) =>
        probability <= 0 ? 0 : probability >= 1 ? 1 : Sigmoid((Scale * Logit(probability)) + Bias);

    public float[][] Apply(float[][] probabilities)
    {
        var scaling = this;
        return [.. probabilities.Select(p => p.Select(x => (float)scaling.Apply(x)).ToArray())];
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"sigmoid({Scale:F4} x logit(p) {(Bias < 0 ? '-' : '+')} {Math.Abs(Bias):F4})");

    private static double Logit(double p)
    {
        var q = Math.Clamp(p, Epsilon, 1 - Epsilon);
        return Math.Log(q / (1 - q));
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Loss(double[] logits, bool[] truth, double a, double b)
    {
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            // log(1 + e^-z) for a positive, log(1 + e^z) for a negative, computed without overflow.
            var z = (a * logits[i]) + b;
            var margin = truth[i] ? z : -z;
            sum += margin > 0 ? Math.Log(1 + Math.Exp(-margin)) : -margin + Math.Log(1 + Math.Exp(margin));
        }

        return sum / logits.Length;
    }
}
