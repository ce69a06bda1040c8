using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Watches each configured model's ONNX file and manifest; after a change and
/// <see cref="ReloadOptions.DebounceMilliseconds"/> of quiet, asks the registry to reload it.
/// </summary>
public sealed class ModelFileWatcher(ModelRegistry registry, IOptions<ServingOptions> options, ILogger<ModelFileWatcher> logger) : IHostedService, IDisposable
{
    private readonly List<FileSystemWatcher> watchers = [];
    private readonly ConcurrentDictionary<string, Timer> pending = new(StringComparer.OrdinalIgnoreCase);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var reload = options.Value.Reload;
        if (!reload.WatchFiles)
        {
            return Task.CompletedTask;
        }

        foreach (var name in options.Value.Models.Keys)
        {
            var files = registry.FilesOf(name);
            foreach (var folder in new[] { files.Model, files.Manifest }.Select(Path.GetDirectoryName).Distinct())
            {
                var watched = new[] { Path.GetFileName(files.Model), Path.GetFileName(files.Manifest) };
                var watcher = new FileSystemWatcher(folder!) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
                FileSystemEventHandler changed = (_, e) => Changed(name, e.Name, watched, reload.DebounceMilliseconds);
                watcher.Changed += changed;
                watcher.Created += changed;
                watcher.Renamed += (_, e) => Changed(name, e.Name, watched, reload.DebounceMilliseconds);
                watcher.EnableRaisingEvents = true;
                lock (watchers)
                {
                    watchers.Add(watcher);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (watchers)
        {
            foreach (var watcher in watchers.ToArray())
            {
                watcher.Dispose();
            }

            watchers.Clear();
        }

        foreach (var timer in pending.Values)
        {
            timer.Dispose();
        }
    }

    private void Changed(string model, string? file, string[] watched, int debounceMs)
    {
        if (file is null || !watched.Contains(file))
        {
            return;
        }

        // Each change restarts the model's quiet period; the reload runs once it has passed.
        var timer = pending.GetOrAdd(model, m => new Timer(_ => Reload(m)));
        timer.Change(debounceMs, Timeout.Infinite);
    }

    private void Reload(string model)
    {
        try
        {
            registry.ReloadAsync(model, "file changed").GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Reload of model {Model} after a file change failed", model);
        }
    }
}
