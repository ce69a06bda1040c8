using PosterGenre.Imaging;
using PosterGenre.Training.Data;
using PosterGenre.Training.Fitting;
using static TorchSharp.torch;

namespace PosterGenre.Training.Tests;

public sealed class BatchMakerTests : IDisposable
{
    private readonly SyntheticDataset data = SyntheticDataset.Create(8);
    private readonly PixelCache cache;

    public BatchMakerTests()
    {
        var dataset = PosterDataset.Load(data.Root);
        var spec = new PreprocessingSpec { Width = 32, Height = 48, Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] };
        cache = PixelCache.Build(dataset.Posters, new PosterPreprocessor(spec), []);
    }

    [Fact]
    public void ZoomResamplesWithinEachPostersOwnPixels()
    {
        var batches = new BatchMaker(cache, seed: 1, zoom: 0.15);
        int[] indices = [.. Enumerable.Range(0, cache.Count)];
        using var x = batches.Images(indices);

        using var y = batches.FlipShiftZoom(x);

        Assert.Equal(x.shape, y.shape);
        for (var i = 0; i < indices.Length; i++)
        {
            // Bilinear sampling with replicated borders only mixes a poster's own pixels.
            Assert.True(y[i].min().item<float>() >= x[i].min().item<float>() - 1e-5f);
            Assert.True(y[i].max().item<float>() <= x[i].max().item<float>() + 1e-5f);
        }

        Assert.False(y.allclose(x), "the augmentation should move pixels");
    }

    [Fact]
    public void AugmentationIsDeterminedByTheSeed()
    {
        int[] indices = [0, 1, 2];
        using var x = new BatchMaker(cache, seed: 5, zoom: 0.15).Images(indices);

        using var a = new BatchMaker(cache, seed: 5, zoom: 0.15).Augment(x);
        using var b = new BatchMaker(cache, seed: 5, zoom: 0.15).Augment(x);
        using var c = new BatchMaker(cache, seed: 6, zoom: 0.15).Augment(x);

        Assert.True(a.eq(b).all().item<bool>(), "the same seed should give the same augmentation");
        Assert.False(a.allclose(c));
    }

    /// <summary>Teachers that score poster i, genre g at 0.1 x ((i + g) mod 10).</summary>
    private TeacherTargets HandMadeTeachers(double weight)
    {
        var genres = cache.Posters[0].Labels.Length;
        var probabilities = Enumerable.Range(0, cache.Count).Select(i => Enumerable.Range(0, genres).Select(g => 0.1f * ((i + g) % 10)).ToArray()).ToArray();
        return new TeacherTargets(probabilities, weight, ["hand-made"]);
    }

    [Fact]
    public void TeacherTargetsBlendIntoTheLabelsByTheirWeight()
    {
        var genres = cache.Posters[0].Labels.Length;
        var teachers = HandMadeTeachers(weight: 0.3);
        int[] indices = [2, 5];

        using var targets = new BatchMaker(cache, seed: 1).Labels(indices, teachers);
        using var labels = new BatchMaker(cache, seed: 1).Labels(indices);

        var values = targets.data<float>().ToArray();
        for (var row = 0; row < indices.Length; row++)
        {
            var poster = cache.Posters[indices[row]];
            for (var g = 0; g < genres; g++)
            {
                // e.g. a positive the teachers score 0.4: 0.7 x 1 + 0.3 x 0.4 = 0.82.
                var expected = (0.7f * (poster.Labels[g] ? 1 : 0)) + (0.3f * 0.1f * ((indices[row] + g) % 10));
                Assert.Equal(expected, values[(row * genres) + g], 5);
            }
        }

        Assert.Equal(new long[] { 2, genres }, targets.shape);
        Assert.True(labels.eq(labels.round()).all().item<bool>(), "without teachers the targets are the 0/1 labels");
    }

    [Fact]
    public void LabelSmoothingMovesTheLabelsTowardsOneHalfBeforeTheTeachersBlend()
    {
        var genres = cache.Posters[0].Labels.Length;
        var teachers = HandMadeTeachers(weight: 0.3);
        int[] indices = [1, 6];

        using var smoothed = new BatchMaker(cache, seed: 1).Labels(indices, smoothing: 0.1);
        using var blended = new BatchMaker(cache, seed: 1).Labels(indices, teachers, smoothing: 0.1);

        var plain = smoothed.data<float>().ToArray();
        var mixed = blended.data<float>().ToArray();
        for (var row = 0; row < indices.Length; row++)
        {
            var poster = cache.Posters[indices[row]];
            for (var g = 0; g < genres; g++)
            {
                // A positive: 0.95 alone; with a teacher at 0.4, 0.7 x 0.95 + 0.3 x 0.4 = 0.785.
                var label = poster.Labels[g] ? 0.95f : 0.05f;
                Assert.Equal(label, plain[(row * genres) + g], 5);
                Assert.Equal((0.7f * label) + (0.3f * 0.1f * ((indices[row] + g) % 10)), mixed[(row * genres) + g], 5);
            }
        }

        Assert.Contains(plain, v => v == 0.95f);
        Assert.Contains(plain, v => v == 0.05f);
    }

    [Fact]
    public void MixupBlendsEachPosterWithOnePartnerByOneWeight()
    {
        // Poster k is a flat image of value k with genre k only, so a blend shows its partner and weight.
        const int n = 6;
        var batches = new BatchMaker(cache, seed: 3);
        using var x = arange(n, dtype: ScalarType.Float32).view(n, 1, 1, 1).expand(n, 3, 4, 4).contiguous();
        using var y = eye(n, dtype: ScalarType.Float32);

        var (images, labels) = batches.Mixup(x, y, alpha: 0.4);

        var partners = new HashSet<int>();
        float? weight = null;
        for (var i = 0; i < n; i++)
        {
            var row = labels[i].data<float>().ToArray();
            Assert.Equal(1f, row.Sum(), 5);
            var own = row[i];
            weight ??= own < 1 ? own : null;
            var partner = own >= 1 - 1e-6 ? i : Array.FindIndex(row, v => v > 0 && v < 1 && v != own);
            partner = partner < 0 ? i : partner;
            Assert.True(partners.Add(partner), "the partners should be a permutation of the batch");
            var expected = (own * i) + ((1 - own) * partner);
            Assert.True(images[i].sub(expected).abs().max().item<float>() < 1e-5f, $"poster {i}: the image should blend like its labels");
        }

        Assert.All(Enumerable.Range(0, n), i => Assert.Contains(labels[i][i].item<float>(), new[] { 1f, weight ?? 1f }));
    }

    [Fact]
    public void CutMixPastesOneRectangleOfThePartnerAndBlendsTheLabelsByItsArea()
    {
        // Poster k is a flat 12x8 image of value k with genre k only: a pasted pixel shows its partner.
        const int n = 6;
        var batches = new BatchMaker(cache, seed: 4);
        using var x = arange(n, dtype: ScalarType.Float32).view(n, 1, 1, 1).expand(n, 3, 12, 8).contiguous();
        using var y = eye(n, dtype: ScalarType.Float32);

        var (images, labels) = batches.CutMix(x, y, alpha: 1);

        var pasted = new List<bool[]>();
        for (var i = 0; i < n; i++)
        {
            var row = labels[i].data<float>().ToArray();
            var pixels = images[i][0].data<float>().ToArray();
            var foreign = pixels.Select(v => v != i).ToArray();
            var share = foreign.Count(f => f) / (double)pixels.Length;
            Assert.Equal(1f, row.Sum(), 5);
            Assert.Equal(1 - share, row[i], 5);
            Assert.All(pixels.Where(v => v != i), v => Assert.Equal(share, row[(int)v], 5));
            Assert.True(images[i].eq(images[i][0].unsqueeze(0)).all().item<bool>(), "all three channels are pasted alike");
            pasted.Add(foreign);
        }

        // One rectangle, the same for the whole batch (a poster whose partner is itself shows none).
        var mask = pasted.First(p => p.Contains(true));
        Assert.All(pasted.Where(p => p.Contains(true)), p => Assert.Equal(mask, p));
        var rows = Enumerable.Range(0, 12).Where(r => Enumerable.Range(0, 8).Any(c => mask[(r * 8) + c])).ToArray();
        var cols = Enumerable.Range(0, 8).Where(c => Enumerable.Range(0, 12).Any(r => mask[(r * 8) + c])).ToArray();
        Assert.Equal(rows.Length * cols.Length, mask.Count(m => m));
    }

    public void Dispose() => data.Dispose();
}
