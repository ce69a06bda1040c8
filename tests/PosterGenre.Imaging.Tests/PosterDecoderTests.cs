using System.Buffers.Binary;
using System.IO.Compression;

namespace PosterGenre.Imaging.Tests;

/// <summary>Decoding, for each imaging library a manifest may name: the same fixtures, the same answers.</summary>
public abstract class PosterDecoderTests(ImagingLibrary library)
{
    // upright.png: 32x64, quadrants red (top left), lime (top right), blue (bottom left), yellow (bottom right).
    private PreprocessingSpec Quadrants => Fixtures.Spec(32, 64, decoder: library);

    [Theory]
    [InlineData("upright.png")]
    [InlineData("rotated-righttop.jpg")]
    [InlineData("mirrored-topright.jpg")]
    public void ExifOrientationIsAppliedBeforeResizing(string file)
    {
        var rgb = new PosterPreprocessor(Quadrants).ToRgb(Fixtures.Image(file));

        AssertColor((255, 0, 0), Fixtures.At(rgb, 32, 4, 8));
        AssertColor((0, 255, 0), Fixtures.At(rgb, 32, 27, 8));
        AssertColor((0, 0, 255), Fixtures.At(rgb, 32, 4, 56));
        AssertColor((255, 255, 0), Fixtures.At(rgb, 32, 27, 56));
    }

    [Fact]
    public void HeaderReportsTheUprightSize()
    {
        var header = new PosterPreprocessor(Quadrants).ReadHeader(Fixtures.Image("rotated-righttop.jpg"));

        Assert.Equal(("jpeg", 32, 64), (header.Format, header.Width, header.Height));
    }

    [Theory]
    [InlineData("animated.gif", 255, 0, 0)]
    [InlineData("green.bmp", 0, 128, 0)]
    [InlineData("yellow.webp", 255, 255, 0)]
    [InlineData("transparent.png", 255, 255, 255)]
    public void FormatsDecodeToTheirColour(string file, int r, int g, int b)
    {
        var rgb = new PosterPreprocessor(Fixtures.Spec(16, 24, decoder: library)).ToRgb(Fixtures.Image(file));

        AssertColor((r, g, b), Fixtures.At(rgb, 16, 8, 12));
    }

    [Fact]
    public void GrayscaleJpegBecomesEqualRgbChannels()
    {
        var rgb = new PosterPreprocessor(Fixtures.Spec(32, 48, decoder: library)).ToRgb(Fixtures.Image("gray.jpg"));

        for (var i = 0; i < rgb.Length; i += 3)
        {
            Assert.Equal(rgb[i], rgb[i + 1]);
            Assert.Equal(rgb[i], rgb[i + 2]);
        }
    }

    [Fact]
    public void CmykJpegDecodesCloseToTheRgbOriginal()
    {
        var spec = Fixtures.Spec(32, 48, decoder: library);
        var cmyk = new PosterPreprocessor(spec).ToRgb(Fixtures.Image("cmyk.jpg"));
        var rgb = new PosterPreprocessor(spec).ToRgb(Fixtures.Poster("tt0086425"));

        var meanDifference = cmyk.Zip(rgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(meanDifference < 20, $"CMYK decode differs from the RGB poster by {meanDifference:F1} on average");
    }

    [Fact]
    public void TextIsAnUnsupportedFormat()
    {
        var e = Assert.Throws<PosterImageException>(() => new PosterPreprocessor(Quadrants).ToRgb(Fixtures.Image("not-an-image.txt")));

        Assert.Equal(PosterImageError.UnsupportedFormat, e.Error);
    }

    [Fact]
    public void TruncatedJpegIsUndecodableForSkiaSharpAndFilledInByImageSharp()
    {
        var truncated = Fixtures.Image("truncated.jpg");

        if (library == ImagingLibrary.SkiaSharp)
        {
            var e = Assert.Throws<PosterImageException>(() => new PosterPreprocessor(Quadrants).ToRgb(truncated));
            Assert.Equal(PosterImageError.Undecodable, e.Error);
            Assert.Contains("truncated", e.Message);
        }
        else
        {
            // ImageSharp 2.1 decodes what arrived and leaves the rest of the picture flat: a
            // difference between the libraries that docs/decisions.md records.
            Assert.Equal(Quadrants.PixelLength, new PosterPreprocessor(Quadrants).ToRgb(truncated).Length);
        }
    }

    [Fact]
    public void JpegHeaderWithoutImageDataIsUndecodable()
    {
        var e = Assert.Throws<PosterImageException>(() => new PosterPreprocessor(Quadrants).ReadHeader([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]));

        Assert.Equal(PosterImageError.Undecodable, e.Error);
    }

    [Fact]
    public void DecompressionBombIsRefusedFromItsHeader()
    {
        // A valid 30000 x 30000 PNG header (900 megapixels) with a tiny compressed body.
        var bomb = Png(30_000, 30_000);

        Assert.Equal(900_000_000, new PosterPreprocessor(Quadrants).ReadHeader(bomb).Pixels);
        var e = Assert.Throws<PosterImageException>(() => new PosterPreprocessor(Quadrants, new ImageLimits(40_000_000)).ToRgb(bomb));
        Assert.Equal(PosterImageError.TooManyPixels, e.Error);
    }

    [Fact]
    public void PixelLimitIsConfigurable()
    {
        var poster = Fixtures.Poster("tt0086425");

        var e = Assert.Throws<PosterImageException>(() => new PosterPreprocessor(Quadrants, new ImageLimits(1000)).ToRgb(poster));
        Assert.Equal(PosterImageError.TooManyPixels, e.Error);
        Assert.Equal(Quadrants.PixelLength, new PosterPreprocessor(Quadrants, new ImageLimits(1_000_000)).ToRgb(poster).Length);
    }

    private static void AssertColor((int R, int G, int B) expected, (int R, int G, int B) actual)
    {
        const int tolerance = 24;
        Assert.True(
            Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance && Math.Abs(expected.B - actual.B) <= tolerance,
            $"expected about {expected}, got {actual}");
    }

    private static byte[] Png(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        Chunk(png, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(new byte[1 + (3 * width)]);
        }

        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}

public sealed class SkiaSharpDecoderTests() : PosterDecoderTests(ImagingLibrary.SkiaSharp);

public sealed class ImageSharpDecoderTests() : PosterDecoderTests(ImagingLibrary.ImageSharp);
