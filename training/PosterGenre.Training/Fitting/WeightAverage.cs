using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// An exponential moving average of a network's weights, kept in a second network of the same
/// architecture: after each optimiser step every parameter moves towards the trained one by
/// (1 - decay), and the BatchNorm statistics are copied. The average is what gets validated and
/// saved; it smooths out the last steps' noise at no inference cost.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> average;
    private readonly Parameter[] source;
    private readonly Parameter[] target;
    private readonly Tensor[] sourceBuffers;
    private readonly Tensor[] targetBuffers;
    private readonly double decay;
    private long steps;

    public WeightAverage(nn.Module<Tensor, Tensor> net, nn.Module<Tensor, Tensor> sameArchitecture, double decay)
    {
        if (decay is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay must be between 0 and 1.");
        }

        average = sameArchitecture;
        this.decay = decay;
        source = [.. net.parameters()];
        target = [.. average.parameters()];
        sourceBuffers = [.. net.buffers()];
        targetBuffers = [.. average.buffers()];
        if (source.Length != target.Length || sourceBuffers.Length != targetBuffers.Length)
        {
            throw new ArgumentException("The average needs a network of the same architecture.", nameof(sameArchitecture));
        }

        using var noGrad = no_grad();
        for (var i = 0; i < source.Length; i++)
        {
            target[i].copy_(source[i]);
        }

        CopyBuffers();
    }

    /// <summary>The averaged network (in eval mode when validated).</summary>
    public nn.Module<Tensor, Tensor> Network => average;

    /// <summary>
    /// Moves the average towards the current weights. Early steps use a smaller decay,
    /// (1 + t) / (10 + t), so the average does not remember the random initialisation.
    /// </summary>
    public void Update()
    {
        steps++;
        var d = Math.Min(decay, (1.0 + steps) / (10.0 + steps));
        using var noGrad = no_grad();
        for (var i = 0; i < source.Length; i++)
        {
            target[i].mul_(d).add_(source[i], alpha: 1 - d);
        }

        CopyBuffers();
    }

    public void Dispose() => average.Dispose();

    private void CopyBuffers()
    {
        for (var i = 0; i < sourceBuffers.Length; i++)
        {
            targetBuffers[i].copy_(sourceBuffers[i]);
        }
    }
}
