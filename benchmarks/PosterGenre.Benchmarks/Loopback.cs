namespace PosterGenre.Benchmarks;

/// <summary>The load, soak, reload and fuzz runs only ever target a service on this machine.</summary>
internal static class Loopback
{
    /// <summary>The service's address; null, having said why, when it is not on loopback.</summary>
    public static Uri? Require(string baseUrl, string command)
    {
        var uri = new Uri(baseUrl);
        if (uri.IsLoopback)
        {
            return uri;
        }

        Console.Error.WriteLine($"{command}: refusing {baseUrl}: it only targets this machine (loopback).");
        return null;
    }
}
