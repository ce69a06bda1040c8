using PosterGenre.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>Turns cached 8-bit posters into normalised (and, for training, augmented) float batches.</summary>
public sealed class BatchMaker
{
    private const int MaxShift = 8;

    private readonly PixelCache cache;
    private readonly Tensor scale;
    private readonly Tensor offset;
    private readonly Generator generator;

    private readonly double zoom;

    /// <param name="zoom">
    /// Largest random zoom of <see cref="Augment"/>: 0.15 samples a region of 85-100% of the
    /// poster's width and height. 0 keeps the whole poster (shifts by whole pixels only).
    /// </param>
    public BatchMaker(PixelCache cache, int seed, double zoom = 0)
    {
        this.cache = cache;
        this.zoom = zoom;
        var spec = cache.Spec;
        scale = tensor(spec.Std.Select(s => 1f / (255f * s)).ToArray()).view(1, 3, 1, 1);
        offset = tensor(spec.Mean.Zip(spec.Std, (m, s) => -m / s).ToArray()).view(1, 3, 1, 1);
        generator = new Generator((ulong)seed);
    }

    /// <summary>
    /// [N, 3, H, W] floats normalised exactly as <c>PosterPreprocessor.Normalize</c> does, laid out
    /// NCHW in memory: the layout <see cref="ConvolutionCheck"/> checks (a channels-last view
    /// would send LibTorch to other oneDNN kernels, wrong on some CPUs).
    /// </summary>
    public Tensor Images(IReadOnlyList<int> indices)
    {
        var spec = cache.Spec;
        var buffer = new byte[indices.Count * spec.PixelLength];
        for (var i = 0; i < indices.Count; i++)
        {
            cache.Pixels[indices[i]].CopyTo(buffer, i * spec.PixelLength);
        }

        using var raw = tensor(buffer, [indices.Count, spec.Height, spec.Width, 3]);
        return raw.permute(0, 3, 1, 2).to(ScalarType.Float32).mul(scale).add(offset).contiguous();
    }

    /// <summary>
    /// [N, genres] targets: the labels (0/1), or with teachers their blend with the teachers'
    /// probabilities. <paramref name="smoothing"/> e moves each label towards 1/2 first: a
    /// positive becomes 1 - e/2, a negative e/2 (label smoothing for binary targets).
    /// </summary>
    public Tensor Labels(IReadOnlyList<int> indices, TeacherTargets? teachers = null, double smoothing = 0)
    {
        var genres = cache.Posters[0].Labels.Length;
        var values = new float[indices.Count * genres];
        for (var i = 0; i < indices.Count; i++)
        {
            var labels = cache.Posters[indices[i]].Labels;
            if (teachers is not null)
            {
                teachers.Blend(indices[i], labels, smoothing).CopyTo(values, i * genres);
                continue;
            }

            for (var g = 0; g < genres; g++)
            {
                values[(i * genres) + g] = (float)Target(labels[g], smoothing);
            }
        }

        return tensor(values, [indices.Count, genres]);
    }

    /// <summary>A 0/1 label moved <paramref name="smoothing"/> towards 1/2: 1 - smoothing/2 or smoothing/2.</summary>
    public static double Target(bool label, double smoothing) => label ? 1 - (smoothing / 2) : smoothing / 2;

    /// <summary>
    /// Augmentations that keep a poster a poster: a mirror image half of the time, a shift of up to
    /// 8 pixels each way (edges replicated), if the recipe asks for it a random zoom into a region
    /// of at least (1 - zoom) of each side, and brightness/contrast jitter of +-10%.
    /// </summary>
    public Tensor Augment(Tensor x)
    {
        x = zoom > 0 ? FlipShiftZoom(x) : FlipShift(x);
        var n = x.shape[0];
        var contrast = 1 + ((rand([n, 1, 1, 1], generator: generator) - 0.5) * 0.2);
        var brightness = (rand([n, 1, 1, 1], generator: generator) - 0.5) * 0.2;
        var mean = x.mean([1, 2, 3], keepdim: true);
        return ((x - mean) * contrast) + mean + brightness;
    }

    /// <summary>
    /// Mixup: blends the batch with a shuffled copy of itself, images and labels by the same
    /// weight drawn from Beta(alpha, alpha), so the loss asks for each genre in proportion to how
    /// much of its poster is in the blend.
    /// </summary>
    public (Tensor Images, Tensor Labels) Mixup(Tensor x, Tensor y, double alpha)
    {
        var weight = (float)distributions.Beta(tensor(alpha), tensor(alpha), generator).sample().item<double>();
        var partner = randperm(x.shape[0], generator: generator);
        return ((x * weight) + (x.index_select(0, partner) * (1 - weight)), (y * weight) + (y.index_select(0, partner) * (1 - weight)));
    }

    /// <summary>
    /// CutMix (Yun et al. 2019): pastes one rectangle of a shuffled copy of the batch into each
    /// poster, of a share 1 - lambda of its area, lambda drawn from Beta(alpha, alpha), centred
    /// anywhere and clipped at the edges; labels blend by the share of pixels each poster keeps.
    /// </summary>
    public (Tensor Images, Tensor Labels) CutMix(Tensor x, Tensor y, double alpha)
    {
        var lambda = distributions.Beta(tensor(alpha), tensor(alpha), generator).sample().item<double>();
        var h = x.shape[2];
        var w = x.shape[3];
        var centre = rand([2], generator: generator).data<float>().ToArray();
        var (cutH, cutW) = ((long)Math.Round(h * Math.Sqrt(1 - lambda)), (long)Math.Round(w * Math.Sqrt(1 - lambda)));
        var (cy, cx) = ((long)(centre[0] * h), (long)(centre[1] * w));
        var (top, bottom) = (Math.Clamp(cy - (cutH / 2), 0, h), Math.Clamp(cy + cutH - (cutH / 2), 0, h));
        var (left, right) = (Math.Clamp(cx - (cutW / 2), 0, w), Math.Clamp(cx + cutW - (cutW / 2), 0, w));
        var partner = randperm(x.shape[0], generator: generator);
        if (bottom <= top || right <= left)
        {
            return (x, y);
        }

        var mixed = x.clone();
        mixed.narrow(2, top, bottom - top).narrow(3, left, right - left)
            .copy_(x.index_select(0, partner).narrow(2, top, bottom - top).narrow(3, left, right - left));
        var kept = 1 - ((bottom - top) * (right - left) / (double)(h * w));
        return (mixed, (y * kept) + (y.index_select(0, partner) * (1 - kept)));
    }

    private Tensor FlipShift(Tensor x)
    {
        var n = x.shape[0];
        var flip = rand([n, 1, 1, 1], generator: generator) < 0.5;
        x = where(flip, x.flip(3), x);

        var padded = nn.functional.pad(x, [MaxShift, MaxShift, MaxShift, MaxShift], PaddingModes.Replicate);
        var shifts = randint(0, (2 * MaxShift) + 1, [n, 2], generator: generator).data<long>().ToArray();
        var h = x.shape[2];
        var w = x.shape[3];
        var crops = new Tensor[n];
        for (var i = 0; i < n; i++)
        {
            crops[i] = padded[i].narrow(1, shifts[2 * i], h).narrow(2, shifts[(2 * i) + 1], w);
        }

        return stack(crops);
    }

    /// <summary>
    /// Flip, shift and zoom in one resampling: each poster gets an affine map from output to input
    /// coordinates (normalised to -1..1) with scale s in [1 - zoom, 1], mirrored half of the time,
    /// moved anywhere the zoomed region fits plus up to <see cref="MaxShift"/> pixels.
    /// </summary>
    internal Tensor FlipShiftZoom(Tensor x)
    {
        var n = x.shape[0];
        var h = x.shape[2];
        var w = x.shape[3];
        var u = rand([n, 6], generator: generator).data<float>().ToArray();
        var theta = new float[n * 6];
        for (var i = 0; i < n; i++)
        {
            var scale = 1 - (zoom * u[6 * i]);
            var mirror = u[(6 * i) + 1] < 0.5 ? -1 : 1;
            var tx = ((1 - scale) * ((2 * u[(6 * i) + 2]) - 1)) + (2.0 * MaxShift / w * ((2 * u[(6 * i) + 3]) - 1));
            var ty = ((1 - scale) * ((2 * u[(6 * i) + 4]) - 1)) + (2.0 * MaxShift / h * ((2 * u[(6 * i) + 5]) - 1));
            theta[6 * i] = (float)(mirror * scale);
            theta[(6 * i) + 2] = (float)tx;
            theta[(6 * i) + 4] = (float)scale;
            theta[(6 * i) + 5] = (float)ty;
        }

        using var grid = nn.functional.affine_grid(tensor(theta, [n, 2, 3]), [n, x.shape[1], h, w], align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
    }
}
