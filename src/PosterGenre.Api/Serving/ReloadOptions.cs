using System.ComponentModel.DataAnnotations;

namespace PosterGenre.Api.Serving;

/// <summary>Hot reload of the configured models' files (<see cref="ModelFileWatcher"/>).</summary>
public sealed class ReloadOptions
{
    /// <summary>Reload a model when its ONNX file or manifest changes on disk (default on).</summary>
    public bool WatchFiles { get; set; } = true;

    /// <summary>
    /// Quiet time after the last change before the files are loaded: 2000 ms, so a file being
    /// copied in is read once it is whole (a half-written one would fail validation and be refused).
    /// </summary>
    [Range(10, 600_000)]
    public int DebounceMilliseconds { get; set; } = 2000;
}
