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

    /// <summary>
    /// ASP.NET Core's form reader enforces each limit below and throws the same exception type for
    /// all of them, telling them apart only by message; each gets its own problem here, with the
    /// true measure and the setting that governs it (docs/api.md, "Errors").
    /// </summary>
    private static readonly (string Prefix, Func<UploadOptions, RequestProblem> Problem)[] FormLimits =
    [
        ("Form value count limit", l => new("too-many-parts", StatusCodes.Status400BadRequest, "Too many form parts",
            $"The form has more than {l.MaxParts} parts; at most {l.MaxFiles} posters (PosterGenre:Uploads:MaxFiles) and {l.MaxOtherParts} other parts (PosterGenre:Uploads:MaxOtherParts) are read. Send at most {l.MaxFiles} posters per request.")),
        ("Multipart headers count limit", l => new("part-header-too-long", StatusCodes.Status400BadRequest, "Part header too long",
            $"A part of the form has more than {l.MaxPartHeaders} headers (PosterGenre:Uploads:MaxPartHeaders); a file part needs two (Content-Disposition, Content-Type).")),
        ("Multipart headers length limit", PartHeaderTooLong),
        ("Line length limit", PartHeaderTooLong),
        ("Multipart boundary length limit", l => new("boundary-too-long", StatusCodes.Status400BadRequest, "Multipart boundary too long",
            $"The multipart boundary is longer than {l.MaxBoundaryLength} characters (PosterGenre:Uploads:MaxBoundaryLength; RFC 2046 allows 70).")),
        ("Form value length limit", l => new("form-value-too-long", StatusCodes.Status400BadRequest, "Form value too long",
            $"A form value (a part without a filename) is longer than {new FormOptions().ValueLengthLimit / 1048576} MB; posters go in file parts.")),
        ("Multipart body length limit", l => new("request-too-large", StatusCodes.Status413PayloadTooLarge, "Request too large",
            $"The request body is larger than {l.MaxRequestBytes / 1048576.0:F1} MB (PosterGenre:Uploads:MaxRequestBytes). Send fewer or smaller posters per request.")),
    ];

    private static RequestProblem PartHeaderTooLong(UploadOptions limits) => new("part-header-too-long", StatusCodes.Status400BadRequest, "Part header too long",
        $"A part of the form has headers longer than {limits.MaxPartHeaderBytes} bytes (PosterGenre:Uploads:MaxPartHeaderBytes), a filename far past what a file system allows.");

    private static async Task<(IFormCollection? Form, RequestProblem? Problem)> ReadFormAsync(HttpRequest request, UploadOptions limits, CancellationToken cancellationToken)
    {
        try
        {
            request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
            {
                MultipartBodyLengthLimit = limits.MaxRequestBytes,
                ValueCountLimit = limits.MaxParts,
                MultipartHeadersLengthLimit = limits.MaxPartHeaderBytes,
                MultipartHeadersCountLimit = limits.MaxPartHeaders,
                MultipartBoundaryLengthLimit = limits.MaxBoundaryLength,
            }));
            return (await request.ReadFormAsync(cancellationToken), null);
        }
        catch (InvalidDataException e)
        {
            var limit = FormLimits.FirstOrDefault(l => e.Message.StartsWith(l.Prefix, StringComparison.Ordinal));
            return (null, limit.Problem?.Invoke(limits)
                ?? new RequestProblem("malformed-request", StatusCodes.Status400BadRequest, "Malformed multipart body", $"The multipart body could not be read: {e.Message}"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, FormLimits[^1].Problem(limits));
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
