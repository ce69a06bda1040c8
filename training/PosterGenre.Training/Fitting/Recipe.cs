using PosterGenre.Imaging;
using PosterGenre.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>An architecture with the input and the recipe it is trained with.</summary>
public sealed record Recipe
{
    public required string Architecture { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public ResizeMode Resize { get; init; } = ResizeMode.Stretch;

    /// <summary>The imaging library that decodes the posters; the manifest records it, and the service decodes with it too.</summary>
    public ImagingLibrary Decoder { get; init; } = ImagingLibrary.SkiaSharp;

    /// <summary>Normalise with the training split's channel statistics; otherwise scale to 0..1 only (as the seed did).</summary>
    public bool Standardize { get; init; } = true;

    public int Epochs { get; init; }

    public int BatchSize { get; init; }

    /// <summary>"adam" (constant rate, the seed's Keras default) or "adamw" (one-cycle schedule).</summary>
    public required string Optimizer { get; init; }

    /// <summary>The peak learning rate of the one-cycle schedule (the constant rate for Adam).</summary>
    public double LearningRate { get; init; }

    /// <summary>
    /// Share of the steps spent warming up to the peak rate before the cosine decay to zero
    /// (one-cycle <c>pct_start</c>).
    /// </summary>
    public double WarmupFraction { get; init; } = 0.2;

    /// <summary>Channels of each convolution block, for the architectures whose width is a recipe choice.</summary>
    public long[]? Channels { get; init; }

    /// <summary>Convolutions per block, one count per width (null: one each).</summary>
    public int[]? Convs { get; init; }

    public double WeightDecay { get; init; }

    /// <summary>Random flips, shifts and mild brightness/contrast jitter of each training poster.</summary>
    public bool Augment { get; init; }

    /// <summary>With <see cref="Augment"/>: the largest random zoom (0.15: a region of 85-100% of each side); 0 for none.</summary>
    public double Zoom { get; init; }

    /// <summary>
    /// With <see cref="Augment"/>: mixup of each training batch with a shuffled copy of itself,
    /// images and labels alike, by a weight drawn from Beta(alpha, alpha); 0 for none.
    /// </summary>
    public double Mixup { get; init; }

    /// <summary>
    /// With <see cref="Augment"/>: CutMix of each training batch (a rectangle of a shuffled copy pasted
    /// into each poster, labels blended by area; <see cref="BatchMaker.CutMix"/>), alpha of its
    /// Beta(alpha, alpha) share; 0 for none.
    /// </summary>
    public double CutMix { get; init; }

    /// <summary>
    /// Label smoothing of the training targets: each 0/1 label moves this far towards 1/2 (0.1: a
    /// positive is 0.95, a negative 0.05) before any blend with teachers; 0 for none. Validation
    /// always scores the plain labels.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Validate and keep an exponential moving average of the weights with this decay per step
    /// (0.998: a horizon of about 500 steps) instead of the raw weights; 0 for none.
    /// </summary>
    public double EmaDecay { get; init; }

    /// <summary>
    /// "bce": binary cross-entropy (with <see cref="PositiveWeights"/> if set); "asl": the asymmetric
    /// loss of Ridnik et al. (2021), which down-weights easy negatives instead (<see cref="Losses"/>).
    /// </summary>
    public string Loss { get; init; } = "bce";

    /// <summary>Weight positives by (negatives / positives) ^ <see cref="PositiveWeightPower"/> per genre, capped at 10.</summary>
    public bool PositiveWeights { get; init; }

    /// <summary>0.5: the square root of the ratio (the recipes' choice); 1: the full ratio.</summary>
    public double PositiveWeightPower { get; init; } = 0.5;

    /// <summary>
    /// Repeat factor sampling of the posters of genres rarer than this share of the training set
    /// (<see cref="EpochSampler"/>); 0 for none: every poster once per epoch.
    /// </summary>
    public double RepeatThreshold { get; init; }

    /// <summary>Stop after this many epochs without a better validation mAP (0: never).</summary>
    public int Patience { get; init; }

    public string TestTimeAugmentation { get; init; } = "none";

    /// <summary>resnet18-imagenet: the ONNX network whose weights the trunk starts from (null: the restored package's ResNet18).</summary>
    public string? InitFrom { get; init; }

    /// <summary>resnet18-imagenet: the trunk's peak learning rate (<see cref="LearningRate"/> is the head's).</summary>
    public double TrunkLearningRate { get; init; }

    /// <summary>resnet18-imagenet: epochs that train the head alone before the trunk joins.</summary>
    public int HeadEpochs { get; init; }

    /// <summary>
    /// resnet18-imagenet: the trunk's first trainable stage (0: the stem on, all of it; 2: stages 2-4;
    /// 5: none, a linear probe). The stages before it keep their ImageNet weights.
    /// </summary>
    public int FirstTrainableStage { get; init; }

    /// <summary>Dropout before the head (resnet18-imagenet).</summary>
    public double Dropout { get; init; } = 0.3;

    /// <summary>
    /// A fixed mean per channel (R, G, B, 0-255 scale) subtracted from 0-255 pixels, no scaling: the
    /// input a network trained that way expects. Null: <see cref="Standardize"/> decides.
    /// </summary>
    public float[]? PixelMean { get; init; }

    /// <summary>Store the exported weights as float16 (half the file; float32 arithmetic).</summary>
    public bool HalfWeights { get; init; }

    public static readonly string[] Names = ["poster-genre", "resnet18-imagenet", "seed-baseline"];

    public static Recipe For(string architecture) => architecture switch
    {
        "poster-genre" => new Recipe
        {
            Architecture = architecture,
            Width = 96,
            Height = 144,
            Channels = [32, 64, 128, 208, 208],
            Epochs = 24,
            BatchSize = 64,
            Optimizer = "adamw",
            LearningRate = 1e-3,
            WarmupFraction = 0.05,
            WeightDecay = 1e-2,
            Augment = true,
            PositiveWeights = true,
            Patience = 8,
            TestTimeAugmentation = "none",
        },
        // The ImageNet-based model (docs/training.md, "ResNet18 from ImageNet"): the package's
        // ResNet18 at a 2:3 input of about its own 224x224 cost, the head alone for one epoch, then
        // the whole trunk with the head, the trunk at a tenth of the head's rate, cosine to zero.
        "resnet18-imagenet" => new Recipe
        {
            Architecture = architecture,
            Width = 192,
            Height = 288,
            Standardize = false,
            PixelMean = PretrainedFiles.ChannelMeans(PretrainedFiles.PreprocessGraph),
            Epochs = 6,
            BatchSize = 32,
            Optimizer = "adamw",
            LearningRate = 1e-3,
            TrunkLearningRate = 1e-4,
            WarmupFraction = 0.03,
            WeightDecay = 1e-2,
            HeadEpochs = 1,
            // The whole trunk: validation mAP 0.336 against 0.326 with stages 2-4 (docs/training.md).
            FirstTrainableStage = 0,
            Dropout = 0.3,
            Augment = true,
            // Flip TTA measured on validation: +0.001 macro ROC-AUC and AP for twice the cost (docs/training.md).
            TestTimeAugmentation = "none",
            HalfWeights = true,
        },
        "seed-baseline" => new Recipe
        {
            Architecture = architecture,
            Width = 350,
            Height = 350,
            Standardize = false,
            Epochs = 10,
            BatchSize = 32,
            Optimizer = "adam",
            LearningRate = 1e-3,
        },
        _ => throw new ArgumentException($"Unknown architecture '{architecture}'; choose {string.Join(" or ", Names)}."),
    };

    public nn.Module<Tensor, Tensor> CreateNet(int genres) => Architecture switch
    {
        "poster-genre" => new PosterGenreNet(genres, Height, Width, Channels, convsPerBlock: Convs),
        "seed-baseline" => new SeedBaselineNet(genres, Width),
        "resnet18-imagenet" => new PretrainedResNet(InitFrom ?? PretrainedFiles.ResNet18, genres, Height, Width, Dropout),
        _ => throw new ArgumentException($"Unknown architecture '{Architecture}'."),
    };
}
