using System.Text.RegularExpressions;

namespace PosterGenre.Api.Tests;

/// <summary>
/// docs/architecture.md's table of layers is the rule: every source file uses only what its
/// layer's row allows, every folder of the two layered projects has a row, and the rows have no loop.
/// </summary>
public sealed partial class ArchitectureTests
{
    private static readonly string Root = Fixtures.RepositoryRoot();
    private static readonly string[] LayeredProjects = ["src/PosterGenre.Api", "training/PosterGenre.Training"];
    private static readonly string[] NotLayers = ["bin", "obj", "Properties", "wwwroot"];

    [Fact]
    public void EverySourceFileUsesOnlyWhatItsLayerMayUse()
    {
        var violations = new List<string>();
        foreach (var (layer, allowed) in Rules())
        {
            foreach (var file in SourceFiles(layer))
            {
                var used = Uses(File.ReadAllText(file)).Where(u => u != Path.GetFileName(layer) && !allowed.Contains(u));
                violations.AddRange(used.Select(u => $"{Path.GetRelativePath(Root, file)} uses {u}, which the row of {layer} does not list"));
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void EveryFolderOfALayeredProjectHasARow()
    {
        var rows = Rules().Keys.ToHashSet();
        var folders = LayeredProjects.SelectMany(p => Directory.GetDirectories(Path.Combine(Root, p))
            .Where(d => !NotLayers.Contains(Path.GetFileName(d)))
            .Select(d => $"{p}/{Path.GetFileName(d)}"));

        Assert.All(folders, f => Assert.True(rows.Contains(f), $"{f} has no row in docs/architecture.md"));
    }

    [Fact]
    public void TheLayersHaveNoLoop()
    {
        var rules = Rules();
        var byName = rules.ToDictionary(r => Path.GetFileName(r.Key), r => r.Value);
        var done = new HashSet<string>();
        void Visit(string name, List<string> path)
        {
            Assert.False(path.Contains(name), $"loop: {string.Join(" -> ", path.Append(name))}");
            if (done.Contains(name) || !byName.TryGetValue(name, out var uses))
            {
                return;
            }

            foreach (var used in uses)
            {
                Visit(used, [.. path, name]);
            }

            done.Add(name);
        }

        foreach (var name in byName.Keys)
        {
            Visit(name, []);
        }
    }

    [Fact]
    public void AUseOfAnotherLayerIsSeen()
    {
        Assert.Equal(["Serving", "PosterGenre.Inference"], Uses("using PosterGenre.Api.Serving;\nusing PosterGenre.Inference;\nvar x = PosterGenre.Api.Serving.ModelRegistry.X;"));
        Assert.Empty(Uses("// PosterGenre.Api is the service"));
    }

    /// <summary>Sibling folders (by namespace) and projects a source text names.</summary>
    private static string[] Uses(string source) =>
        [.. Reference().Matches(source).Select(m => m.Groups["layer"].Success ? m.Groups["layer"].Value : "PosterGenre." + m.Groups["project"].Value).Distinct()];

    private static IEnumerable<string> SourceFiles(string layer) =>
        Directory.EnumerateFiles(Path.Combine(Root, layer), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));

    /// <summary>docs/architecture.md's table: layer folder -> what it may use.</summary>
    private static Dictionary<string, HashSet<string>> Rules() =>
        File.ReadAllLines(Path.Combine(Root, "docs", "architecture.md"))
            .Select(line => Row().Match(line))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["layer"].Value, m => m.Groups["uses"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(u => u.Trim('`')).Where(u => u != "-").ToHashSet());

    [GeneratedRegex(@"^\| `(?<layer>(src|training)/[^`]+)` \| (?<uses>[^|]+) \|$")]
    private static partial Regex Row();

    [GeneratedRegex(@"\bPosterGenre\.(?:(?:Api|Training)\.(?<layer>[A-Z][A-Za-z]*)|(?<project>Imaging|Inference|Catalogue)\b)")]
    private static partial Regex Reference();
}
