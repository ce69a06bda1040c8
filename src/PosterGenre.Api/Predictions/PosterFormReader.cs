using Microsoft.AspNetCore.Http.Features;
using PosterGenre.Api.Serving;

namespace PosterGenre.Api.Predictions;

/// <summary>
/// Reads a multipart upload into one <see cref="PosterUpload"/> per poster part, in form order;
/// a file refused before decoding (too large, empty) carries its error. The body's size and
/// arrival were checked, and the body read whole, before the request was admitted
/// (<see cref="UploadBuffering"/>).
/// </summary>
public static class PosterFormReader
{
    /// <summary>Form part names that carry posters: "posters" (one or many) or "poster" (one).</summary>
    public static readonly string[] PartNames = ["posters", "poster"];

    /// <returns>The uploads, or the problem that refuses the whole request.</returns>
    public static async Task<(IReadOnlyList<PosterUpload>? Uploads, RequestProblem? Problem)> ReadAsync(HttpRequest request, UploadOptions limits, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (null, new RequestProblem("not-multipart", StatusCodes.Status415UnsupportedMediaType, "Not a multipart upload",
                $"Send the posters as multipart/form-data with one file part named 'posters' per poster; the request's content type was '{request.ContentType ?? "none"}'."));
        }

        var (form, problem) = await ReadFormAsync(request, limits, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var files = form!.Files.Where(f => PartNames.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (files.Count == 0)
        {
            var found = form.Files.Count == 0 ? "no file parts" : $"file parts named {string.Join(", ", form.Files.Select(f => $"'{f.Name}'").Distinct())}";
            return (null, new RequestProblem("no-posters", StatusCodes.Status400BadRequest, "No poster uploaded",
                $"The form has {found}. Attach each poster as a file part named 'posters' (or a single one named 'poster')."));
        }

        if (files.Count > limits.MaxFiles)
        {
            return (null, new RequestProblem("too-many-files", StatusCodes.Status400BadRequest, "Too many files",
                $"The request has {files.Count} posters; at most {limits.MaxFiles} are accepted per request. Split them over several requests."));
        }

        var uploads = new List<PosterUpload>(files.Count);
        foreach (var file in files)
        {
            uploads.Add(await ReadFileAsync(file, limits, cancellationToken));
        }

        return (uploads, null);
    }

    private static RequestProblem RequestTooLarge(UploadOptions limits) =>
        new("request-too-large", StatusCodes.Status413PayloadTooLarge, "Request too large",
            $"The request body is larger than {limits.MaxRequestBytes / 1048576.0:F1} MB. Send fewer or smaller posters per request.");

    private static async Task<(IFormCollection? Form, RequestProblem? Problem)> ReadFormAsync(HttpRequest request, UploadOptions limits, CancellationToken cancellationToken)
    {
        try
        {
            request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
            {
                MultipartBodyLengthLimit = limits.MaxRequestBytes,
                ValueCountLimit = 64,
            }));
            return (await request.ReadFormAsync(cancellationToken), null);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return (null, e is InvalidDataException && !e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? new RequestProblem("malformed-request", StatusCodes.Status400BadRequest, "Malformed multipart body", $"The multipart body could not be read: {e.Message}")
                : RequestTooLarge(limits));
        }
        catch (BadHttpRequestException e)
        {
            return (null, new RequestProblem("malformed-request", e.StatusCode, "Malformed request", $"The request body could not be read: {e.Message}"));
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The body is read whole before this point, so this is a multipart body that ends early.
            return (null, new RequestProblem("malformed-request", StatusCodes.Status400BadRequest, "Malformed multipart body", $"The multipart body ends before its closing boundary: {e.Message}"));
        }
    }

    private static async Task<PosterUpload> ReadFileAsync(IFormFile file, UploadOptions limits, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrEmpty(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
        if (file.Length > limits.MaxFileBytes)
        {
            return new PosterUpload(name, null, new PosterError(UploadErrors.FileTooLarge,
                $"The file is {file.Length / 1048576.0:F1} MB; the limit is {limits.MaxFileBytes / 1048576.0:F1} MB per file."));
        }

        if (file.Length == 0)
        {
            return new PosterUpload(name, null, new PosterError(UploadErrors.EmptyFile, "The file is empty."));
        }

        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return new PosterUpload(name, bytes);
    }
}
