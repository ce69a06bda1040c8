namespace PosterGenre.Imaging.Tests;

public sealed class PosterPreprocessorTests
{
    [Theory]
    [InlineData(ResizeMode.Stretch)]
    [InlineData(ResizeMode.CenterCrop)]
    [InlineData(ResizeMode.Pad)]
    public void EveryResizeModeGivesTheSpecSize(ResizeMode mode)
    {
        var spec = Fixtures.Spec(64, 64, mode);

        var rgb = new PosterPreprocessor(spec).ToRgb(Fixtures.Poster("tt0085549"));

        Assert.Equal(64 * 64 * 3, rgb.Length);
    }

    [Fact]
    public void PadLeavesBlackBarsBesideAPortraitPoster()
    {
        var spec = Fixtures.Spec(64, 64, ResizeMode.Pad);

        var rgb = new PosterPreprocessor(spec).ToRgb(Fixtures.Poster("tt0085549"));

        Assert.Equal((0, 0, 0), Fixtures.At(rgb, 64, 1, 32));
        Assert.Equal((0, 0, 0), Fixtures.At(rgb, 64, 62, 32));
    }

    [Fact]
    public void NormalizeAppliesMeanAndStdPerChannelIntoPlanes()
    {
        var spec = new PreprocessingSpec { Width = 2, Height = 1, Mean = [0.5f, 0f, 0.25f], Std = [0.5f, 1f, 0.25f] };
        byte[] rgb = [255, 0, 51, 0, 255, 102];
        var chw = new float[6];

        new PosterPreprocessor(spec).Normalize(rgb, chw);

        // R plane, G plane, B plane; each (v / 255 - mean) / std.
        float[] expected = [1f, -1f, 0f, 1f, (0.2f - 0.25f) / 0.25f, (0.4f - 0.25f) / 0.25f];
        Assert.Equal(expected, chw, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public void SameBytesGiveTheSameTensor()
    {
        var spec = new PreprocessingSpec { Width = 128, Height = 192, Mean = [0.4f, 0.4f, 0.4f], Std = [0.3f, 0.3f, 0.3f] };
        var poster = Fixtures.Poster("tt0085154");

        Assert.Equal(new PosterPreprocessor(spec).ToTensor(poster), new PosterPreprocessor(spec).ToTensor(poster));
    }

    [Fact]
    public void ATensorWrittenIntoABufferOverwritesItWhole()
    {
        var spec = new PreprocessingSpec { Width = 128, Height = 192, Mean = [0.4f, 0.4f, 0.4f], Std = [0.3f, 0.3f, 0.3f] };
        var preprocessor = new PosterPreprocessor(spec);
        var reused = Enumerable.Repeat(float.NaN, spec.TensorLength).ToArray();

        preprocessor.ToTensor(Fixtures.Poster("tt0085154"), reused);

        Assert.Equal(preprocessor.ToTensor(Fixtures.Poster("tt0085154")), reused);
        Assert.Throws<ArgumentException>(() => preprocessor.ToTensor(Fixtures.Poster("tt0085154"), new float[spec.TensorLength - 1]));
    }

    [Fact]
    public void InvalidSpecNamesTheProblem()
    {
        var spec = new PreprocessingSpec { Width = 128, Height = 192, Mean = [0, 0, 0], Std = [1, 0, 1] };

        var e = Assert.Throws<ArgumentException>(() => new PosterPreprocessor(spec));
        Assert.Contains("std", e.Message);
    }

    [Fact]
    public void SpecsAreTheSameWhenEveryFieldIsMeanAndStdValueByValue()
    {
        var spec = new PreprocessingSpec { Width = 192, Height = 288, Mean = [0.4f, 0.4f, 0.4f], Std = [0.3f, 0.3f, 0.3f] };

        Assert.True(spec.SameAs(spec with { Mean = [0.4f, 0.4f, 0.4f], Std = [0.3f, 0.3f, 0.3f] }));
        Assert.False(spec.SameAs(spec with { Mean = [0.4f, 0.4f, 0.41f] }));
        Assert.False(spec.SameAs(spec with { Sampling = ResizeSampling.Linear }));
        Assert.False(spec.SameAs(spec with { Height = 320 }));
    }
}
