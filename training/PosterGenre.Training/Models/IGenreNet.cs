using PosterGenre.Training.Export;
using static TorchSharp.torch;

namespace PosterGenre.Training.Models;

/// <summary>A genre network: logits in training, and a description of itself as an ONNX graph.</summary>
public interface IGenreNet
{
    /// <summary>Logits [N, genres] for normalised input [N, 3, H, W].</summary>
    Tensor Logits(Tensor input);

    /// <summary>Adds the eval-mode network to <paramref name="graph"/> and returns the name of its logits.</summary>
    string Export(OnnxGraph graph, string input);

    /// <summary>Multiply-accumulates of one forward pass on one poster (convolutions and dense layers).</summary>
    long Macs { get; }
}
