namespace PosterGenre.Imaging.Tests;

/// <summary>
/// Damaged files, made by seeded mutation of every fixture (flipped bytes, cut-off ends, repeated
/// or deleted runs): the preprocessor either returns a tensor of finite values or refuses with a
/// <see cref="PosterImageException"/>, never another exception and never a crash of the native
/// decoder (which would end this test process, and the service's).
/// </summary>
public abstract class MutatedInputTests(ImagingLibrary library)
{
    private const int MutationsPerFile = 200;

    public static TheoryData<string> Files() =>
    [
        "images/animated.gif", "images/cmyk.jpg", "images/gray.jpg", "images/green.bmp", "images/mirrored-topright.jpg",
        "images/rotated-righttop.jpg", "images/transparent.png", "images/upright.png", "images/yellow.webp",
        "posters/tt0086425.jpg", "posters/tt0085154.jpg",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void DamagedFilesDecodeOrAreRefusedCleanly(string file)
    {
        var original = File.ReadAllBytes(Path.Combine(Fixtures.Dir, file));
        var preprocessor = new PosterPreprocessor(Fixtures.Spec(96, 144, decoder: library), new ImageLimits(40_000_000));
        var random = new Random(file.Sum(c => c)); // string hashes vary per process; this seed does not
        var (decoded, refused) = (0, 0);
        for (var i = 0; i < MutationsPerFile; i++)
        {
            var damaged = Mutate(original, random);
            try
            {
                var tensor = preprocessor.ToTensor(damaged);
                Assert.Equal(3 * 96 * 144, tensor.Length);
                Assert.All(tensor, v => Assert.True(float.IsFinite(v)));
                decoded++;
            }
            catch (PosterImageException)
            {
                refused++;
            }
        }

        Assert.Equal(MutationsPerFile, decoded + refused);
    }

    /// <summary>One of: flip 1-8 bytes, cut the file short, repeat a run, delete a run.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var k = random.Next(1, 9); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(1, bytes.Length)];
            case 2:
            {
                var start = random.Next(bytes.Length);
                var run = bytes.AsSpan(start, Math.Min(random.Next(1, 64), bytes.Length - start));
                return [.. bytes[..start], .. run, .. bytes[start..]];
            }
            default:
            {
                var start = random.Next(bytes.Length);
                var end = Math.Min(bytes.Length, start + random.Next(1, 64));
                return [.. bytes[..start], .. bytes[end..]];
            }
        }
    }
}

public sealed class SkiaSharpMutatedInputTests() : MutatedInputTests(ImagingLibrary.SkiaSharp);

public sealed class ImageSharpMutatedInputTests() : MutatedInputTests(ImagingLibrary.ImageSharp);
