using System.Net.Http.Headers;

namespace PosterGenre.Api.Tests;

internal static class Fixtures
{
    /// <summary>Test posters from the development data, with their labelled genres.</summary>
    public static readonly (string Id, string[] Genres)[] Labelled =
    [
        ("tt0086425", ["Comedy", "Drama"]),
        ("tt0085549", ["Drama", "Romance", "Music"]),
        ("tt0085154", ["Horror", "Thriller"]),
        ("tt0084058", ["Comedy", "Family"]),
        ("tt0085334", ["Drama", "Romance", "Sport"]),
        ("tt0085382", ["Drama", "Romance"]),
    ];

    public static string Dir => Path.Combine(AppContext.BaseDirectory, "fixtures");

    /// <summary>The checkout the tests run from (the folder above the test binaries that holds PosterGenre.sln).</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PosterGenre.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository root is not above the test binaries");
    }

    public static string PosterPath(string id) => Path.Combine(Dir, "posters", id + ".jpg");

    public static byte[] Poster(string id) => File.ReadAllBytes(PosterPath(id));

    public static byte[] Image(string name) => File.ReadAllBytes(Path.Combine(Dir, "images", name));

    public static MultipartFormDataContent Form(params (string Part, string FileName, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (part, name, content) in files)
        {
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(file, part, name);
        }

        return form;
    }

    public static MultipartFormDataContent Posters(params string[] ids) =>
        Form([.. ids.Select(id => ("posters", id + ".jpg", Poster(id)))]);
}
