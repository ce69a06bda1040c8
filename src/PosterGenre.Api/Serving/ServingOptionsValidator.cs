using Microsoft.Extensions.Options;

namespace PosterGenre.Api.Serving;

/// <summary>
/// Checks the model configuration at start, so that a typo in a path stops the service with a
/// message naming the file instead of failing every request.
/// </summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        var failures = new List<string>();
        if (options.Models.Count == 0)
        {
            failures.Add("PosterGenre:Models is empty: configure at least one model (PosterGenre:Models:<name>:Path).");
        }
        else if (!options.Models.ContainsKey(options.DefaultModel))
        {
            failures.Add($"PosterGenre:DefaultModel '{options.DefaultModel}' is not one of the configured models ({string.Join(", ", options.Models.Keys)}).");
        }

        foreach (var (modelName, model) in options.Models)
        {
            if (string.IsNullOrWhiteSpace(model.Path))
            {
                failures.Add($"PosterGenre:Models:{modelName}:Path is empty.");
                continue;
            }

            var path = ServingOptions.Resolve(model.Path);
            if (!File.Exists(path))
            {
                failures.Add($"Model '{modelName}': file '{path}' does not exist (PosterGenre:Models:{modelName}:Path).");
            }

            var manifest = ServingOptions.Resolve(model.Manifest ?? Path.ChangeExtension(model.Path, ".json"));
            if (!File.Exists(manifest))
            {
                failures.Add($"Model '{modelName}': manifest '{manifest}' does not exist.");
            }
        }

        // The limits' ranges are the [Range] attributes on their options classes, checked here once.
        failures.AddRange(RangeFailures("Onnx", options.Onnx));
        failures.AddRange(RangeFailures("Uploads", options.Uploads));
        failures.AddRange(RangeFailures("Load", options.Load));
        failures.AddRange(RangeFailures("Shutdown", options.Shutdown));
        failures.AddRange(RangeFailures("Reload", options.Reload));
        failures.AddRange(RangeFailures("Catalogue", options.Catalogue));
        if (options.Catalogue.IsConfigured && options.Catalogue.Location.Problem is { } catalogue)
        {
            failures.Add($"PosterGenre:Catalogue: both Path and ConnectionString are set; {catalogue}.");
        }

        for (var i = 0; i < options.Cors.AllowedOrigins.Length; i++)
        {
            var origin = options.Cors.AllowedOrigins[i];
            if (CrossOriginOptions.Problem(origin) is { } problem)
            {
                failures.Add($"PosterGenre:Cors:AllowedOrigins:{i} '{origin}' {problem}.");
            }
        }

        failures.AddRange(KeyFailures(options.Auth));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> RangeFailures(string section, object settings)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(settings, new(settings), results, validateAllProperties: true);
        return results.Select(r => r.MemberNames.FirstOrDefault() is { } member
            ? $"{Section}:{section}:{member} is {settings.GetType().GetProperty(member)?.GetValue(settings)}: {r.ErrorMessage}"
            : $"{Section}:{section}: {r.ErrorMessage}");
    }

    private const string Section = ServingOptions.Section;

    private static IEnumerable<string> KeyFailures(AuthOptions auth)
    {
        if (auth.ApiKeysFile is { } file && !File.Exists(ServingOptions.Resolve(file)))
        {
            return [$"{Section}:Auth:ApiKeysFile: '{ServingOptions.Resolve(file)}' does not exist."];
        }

        if (auth.ApiKeysFile is { } keysFile && auth.AllKeys().Count == auth.ApiKeys.Count(k => !string.IsNullOrWhiteSpace(k)))
        {
            return [$"{Section}:Auth:ApiKeysFile: '{ServingOptions.Resolve(keysFile)}' holds no key (one per line; # starts a comment)."];
        }

        var shortKeys = auth.AllKeys().Count(k => k.Length < AuthOptions.MinKeyLength);
        return shortKeys == 0 ? [] : [$"{Section}:Auth: {shortKeys} API key(s) shorter than {AuthOptions.MinKeyLength} characters; use long random keys (e.g. openssl rand -hex 24)."];
    }
}
