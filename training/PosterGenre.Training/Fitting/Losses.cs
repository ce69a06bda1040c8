using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>Training losses beyond TorchSharp's own binary cross-entropy.</summary>
public static class Losses
{
    /// <summary>
    /// The asymmetric loss for multi-label classification (Ridnik et al., "Asymmetric Loss For
    /// Multi-Label Classification", ICCV 2021): most genres are absent from most posters, so easy
    /// negatives dominate a plain cross-entropy. Negatives are weighted by p_m^gammaNeg, where
    /// p_m = max(p - clip, 0) also drops the loss of negatives scored below <paramref name="clip"/>;
    /// positives by (1 - p)^gammaPos. Mean over posters and genres, like the BCE it replaces. With
    /// both gammas and the clip at 0 it is binary cross-entropy.
    /// </summary>
    public static Tensor Asymmetric(Tensor logits, Tensor targets, double gammaNeg = 4, double gammaPos = 0, double clip = 0.05)
    {
        var p = sigmoid(logits);
        var positive = nn.functional.logsigmoid(logits);
        var shifted = p.sub(clip).clamp_min(0);
        var negative = sigmoid(logits.neg()).add(clip).clamp_max(1).clamp_min(1e-8).log();
        if (gammaPos > 0)
        {
            positive = positive * (1 - p).pow(gammaPos);
        }

        if (gammaNeg > 0)
        {
            negative = negative * shifted.pow(gammaNeg);
        }

        return ((targets * positive) + ((1 - targets) * negative)).mean().neg();
    }
}
