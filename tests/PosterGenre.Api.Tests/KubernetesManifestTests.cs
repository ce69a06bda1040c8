using System.Net;
using System.Reflection;
using PosterGenre.Api.Serving;
using PosterGenre.Training.Commands;
using PosterGenre.Training.Evaluation;
using YamlDotNet.RepresentationModel;

namespace PosterGenre.Api.Tests;

/// <summary>
/// deploy/kubernetes cannot drift from the service: its port is the one the image listens on, its
/// probe paths are answered, and every environment key it sets is a setting the service reads.
/// </summary>
public sealed class KubernetesManifestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string Root = Fixtures.RepositoryRoot();

    [Fact]
    public void TheContainerPortIsTheOneTheImageListensOn()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        var port = int.Parse(System.Text.RegularExpressions.Regex.Match(dockerfile, @"ASPNETCORE_HTTP_PORTS=(\d+)").Groups[1].Value);
        var container = Container();

        var declared = (YamlSequenceNode)container["ports"];
        Assert.Equal(port, int.Parse(Scalar(declared[0], "containerPort")));
        var named = Scalar(declared[0], "name");
        var service = Load("service.yaml");
        Assert.Equal(named, Scalar(((YamlSequenceNode)Map(service, "spec")["ports"])[0], "targetPort"));
    }

    [Fact]
    public async Task EveryProbePathIsAnsweredByTheService()
    {
        var container = Container();
        using var client = factory.CreateClient();
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var get = Map((YamlMappingNode)container[probe], "httpGet");
            Assert.Equal(Scalar(((YamlSequenceNode)container["ports"])[0], "name"), Scalar(get, "port"));

            using var response = await client.GetAsync(Scalar(get, "path"));

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{probe} {Scalar(get, "path")}: {response.StatusCode}");
        }
    }

    [Fact]
    public void EveryEnvironmentKeyIsASettingTheServiceReads()
    {
        var data = Map(Load("configmap.yaml"), "data");

        Assert.NotEmpty(data.Children);
        foreach (var key in data.Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
        {
            Assert.True(IsSetting(key), $"ConfigMap key {key} is not a setting of the service");
        }
    }

    [Fact]
    public void TheGracePeriodCoversTheDrainAndTheRequestsInFlight()
    {
        var data = Map(Load("configmap.yaml"), "data");
        var spec = Map(Map(Map(Load("deployment.yaml"), "spec"), "template"), "spec");
        var preStop = int.Parse(Scalar(Map(Map(Map(Container(), "lifecycle"), "preStop"), "sleep"), "seconds"));

        var needed = preStop + int.Parse(Scalar(data, "PosterGenre__Shutdown__DrainDelaySeconds")) + int.Parse(Scalar(data, "PosterGenre__Shutdown__GraceSeconds"));

        Assert.True(int.Parse(Scalar(spec, "terminationGracePeriodSeconds")) > needed);
    }

    /// <summary>PosterGenre__A__B names a property path of <see cref="ServingOptions"/> (dictionary entries and array items by key).</summary>
    private static bool IsSetting(string key)
    {
        if (key is "LogFormat")
        {
            return true;
        }

        var parts = key.Split("__");
        if (parts[0] != ServingOptions.Section)
        {
            return false;
        }

        var type = typeof(ServingOptions);
        foreach (var part in parts.Skip(1))
        {
            if (type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)))
            {
                type = type.IsArray ? type.GetElementType()! : type.GetGenericArguments()[1];
                continue;
            }

            var property = type.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || !property.CanWrite)
            {
                return false;
            }

            type = property.PropertyType;
        }

        return true;
    }

    [Fact]
    public void ThePredictJobsIndicesAreTheShardsOfOneValidPredictCommand()
    {
        var spec = Map(Load("predict-job.yaml"), "spec");
        var pod = Map(Map(spec, "template"), "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        var args = ((YamlSequenceNode)container["args"]).Select(a => ((YamlScalarNode)a).Value!).ToArray();
        var mounts = ((YamlSequenceNode)container["volumeMounts"]).Select(m => Scalar(m, "mountPath")).ToArray();
        var completions = int.Parse(Scalar(spec, "completions"));

        Assert.Equal("Indexed", Scalar(spec, "completionMode"));
        for (var index = 0; index < completions; index++)
        {
            var expanded = args.Select(a => a.Replace("$(JOB_COMPLETION_INDEX)", index.ToString())).ToArray();
            var parsed = new System.CommandLine.RootCommand { PredictCommand.Create() }.Parse(expanded);
            Assert.Empty(parsed.Errors);
            Assert.Equal(new Shard(index, completions), Shard.Parse(expanded[Array.IndexOf(expanded, "--shard") + 1]));
            Assert.Contains(mounts, m => expanded[Array.IndexOf(expanded, "--out") + 1].StartsWith(m + "/"));
        }

        var model = args[Array.IndexOf(args, "--model") + 1];
        Assert.StartsWith("/app/models/", model); // docker/cli.Dockerfile copies models/ there
        Assert.True(File.Exists(Path.Combine(Root, model["/app/".Length..])), $"{model} is not a shipped model");
    }

    private static YamlMappingNode Container()
    {
        var spec = Map(Map(Map(Load("deployment.yaml"), "spec"), "template"), "spec");
        return (YamlMappingNode)((YamlSequenceNode)spec["containers"])[0];
    }

    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "deploy", "kubernetes", file))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];

    private static string Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value!;
}
