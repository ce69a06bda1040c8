using System.Security.Cryptography;
using System.Text;

namespace PosterGenre.Training.Evaluation;

/// <summary>
/// One of <see cref="Count"/> stable parts of a set of images, for tagging a catalogue with several
/// workers at once (<c>predict --shard I/N</c>, e.g. a Kubernetes Indexed Job's completion index):
/// a file belongs to shard SHA-256(its file name) mod N, so the parts do not overlap, cover every
/// file, and do not depend on the order files are listed in or on which machine lists them.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public static Shard All { get; } = new(0, 1);

    /// <summary>"I/N" with 0 &lt;= I &lt; N; null when the text is not that.</summary>
    public static Shard? Parse(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2 && int.TryParse(parts[0], out var index) && int.TryParse(parts[1], out var count) && count >= 1 && index >= 0 && index < count
            ? new Shard(index, count)
            : null;
    }

    public bool Contains(string file)
    {
        if (Count == 1)
        {
            return true;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
        return BitConverter.ToUInt64(hash, 0) % (ulong)Count == (ulong)Index;
    }

    public override string ToString() => $"{Index}/{Count}";
}
