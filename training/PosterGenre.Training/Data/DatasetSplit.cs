namespace PosterGenre.Training.Data;

/// <summary>Which poster goes to train, validation and test; written to <c>split.csv</c> so a run can be repeated.</summary>
public sealed class DatasetSplit
{
    public const string FileName = "split.csv";

    public DatasetSplit(IReadOnlyDictionary<string, SplitName> assignment) => Assignment = assignment;

    public IReadOnlyDictionary<string, SplitName> Assignment { get; }

    public static DatasetSplit Create(IReadOnlyList<PosterRecord> posters, int seed, double validation = 0.15, double test = 0.15)
    {
        var subsets = IterativeStratification.Split([.. posters.Select(p => p.Labels)], [1 - validation - test, validation, test], seed);
        var map = new Dictionary<string, SplitName>(StringComparer.Ordinal);
        for (var i = 0; i < posters.Count; i++)
        {
            map[posters[i].Id] = (SplitName)subsets[i];
        }

        return new DatasetSplit(map);
    }

    public static DatasetSplit Load(string path)
    {
        var map = new Dictionary<string, SplitName>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2 || !Enum.TryParse<SplitName>(parts[1], ignoreCase: true, out var split))
            {
                throw new DatasetException($"'{path}' has a line that is not 'Id,Train|Validation|Test': '{line}'.");
            }

            map[parts[0]] = split;
        }

        return new DatasetSplit(map);
    }

    public void Save(string path) =>
        File.WriteAllLines(path, ["Id,Split", .. Assignment.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key},{a.Value}")]);

    public List<PosterRecord> Select(IEnumerable<PosterRecord> posters, SplitName split) =>
        [.. posters.Where(p => Assignment.TryGetValue(p.Id, out var s) && s == split)];
}
