using PosterGenre.Imaging;
using PosterGenre.Inference;

namespace PosterGenre.Api.Serving;

/// <summary>A loaded model with the preprocessing its manifest asks for, under the service's upload limits.</summary>
public sealed record ServedModel(string Name, GenreModel Model, PosterPreprocessor Preprocessor, bool IsDefault)
{
    public ModelManifest Manifest => Model.Manifest;
}
