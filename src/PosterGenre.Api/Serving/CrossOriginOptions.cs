namespace PosterGenre.Api.Serving;

/// <summary>
/// Which other web sites' pages may call the API from a browser (CORS). Empty by default: only the
/// service's own page can read the answers; servers and command-line clients are not affected.
/// </summary>
public sealed class CrossOriginOptions
{
    /// <summary>Origins such as <c>https://movies.example.org</c>, or <c>*</c> for any site.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Why an entry is not an origin, or null when it is one.</summary>
    public static string? Problem(string origin)
    {
        if (origin == "*")
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return "is not an http(s) origin such as https://movies.example.org, or *";
        }

        return uri.PathAndQuery == "/" && !origin.EndsWith('/') && uri.Fragment.Length == 0
            ? null
            : "has a path, query or trailing slash: an origin is scheme://host[:port] only";
    }
}
