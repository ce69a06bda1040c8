using System.CommandLine;
using PosterGenre.Imaging;
using PosterGenre.Inference;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Export;
using PosterGenre.Training.Models;
using PosterGenre.Training.Reporting;
using TorchSharp;
using static TorchSharp.torch;
using PosterGenre.Training.Fitting;

namespace PosterGenre.Training.Commands;

/// <summary>
/// The <c>train</c> command: its options here, its run in TrainCommand.Run.cs (read and validate
/// the data, decode every poster once, split, train, export to ONNX, check ONNX Runtime against
/// TorchSharp, tune thresholds on validation, evaluate on test beside the prior baseline, and
/// write model, manifest and report).
/// </summary>
public static partial class TrainCommand
{
    public static Command Create(string[] args)
    {
        var data = CommandSupport.DataOption();
        var output = new Option<string>("--out") { Description = "Output folder for model, manifest, metrics, plots and split.", Required = true };
        var arch = new Option<string>("--arch") { Description = "The model and its recipe: poster-genre (the small CNN, default), resnet18-imagenet (the shipped default model's recipe) or seed-baseline (docs/training.md).", DefaultValueFactory = _ => "poster-genre" };
        arch.AcceptOnlyFromAmong(Recipe.Names);
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: the architecture's recipe)." };
        var seed = new Option<int>("--seed") { Description = "Seed for the split, initialisation and augmentation.", DefaultValueFactory = _ => 42 };
        var split = new Option<string?>("--split") { Description = "Reuse this split.csv instead of making one from --seed." };
        var name = new Option<string?>("--name") { Description = "Model name in the manifest (default: the architecture)." };
        var version = new Option<string>("--model-version") { Description = "Model version in the manifest.", DefaultValueFactory = _ => "1.0.0" };
        var limit = new Option<int>("--limit") { Description = "Use only the first N posters (smoke tests)." };
        var maxBatches = new Option<int>("--max-batches") { Description = "Stop each epoch after N batches (smoke tests)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Batch size (default: the architecture's recipe)." };
        var threads = new Option<int>("--threads") { Description = "TorchSharp CPU threads (default: all cores)." };
        var width = new Option<int?>("--width") { Description = "Input width in pixels (default: the architecture's)." };
        var height = new Option<int?>("--height") { Description = "Input height in pixels (default: the architecture's; seed-baseline needs width = height)." };
        var resize = new Option<ResizeMode?>("--resize") { Description = "Stretch (default), CenterCrop or Pad." };
        var decoder = new Option<ImagingLibrary?>("--decoder") { Description = "The imaging library that decodes and resizes the posters, here and in the service (the manifest records it): SkiaSharp (default) or ImageSharp (docs/decisions.md)." };
        var zoom = new Option<double?>("--zoom") { Description = "Largest random zoom of the augmentation, 0-0.5 (0.15: a region of 85-100% of each side; default: the architecture's)." };
        zoom.Validators.Add(r =>
        {
            if (r.GetValue(zoom) is < 0 or > 0.5)
            {
                r.AddError("--zoom must be between 0 and 0.5.");
            }
        });
        var mixup = new Option<double?>("--mixup") { Description = "Mixup alpha of the augmentation: blend each batch with a shuffled copy by a Beta(alpha, alpha) weight (0.2 is usual; 0: none; default: the architecture's)." };
        mixup.Validators.Add(r =>
        {
            if (r.GetValue(mixup) is < 0 or > 10)
            {
                r.AddError("--mixup must be between 0 and 10.");
            }
        });
        var cutmix = new Option<double?>("--cutmix") { Description = "CutMix alpha of the augmentation: paste a rectangle of a shuffled copy of the batch into each poster, its share of the area 1 - lambda, lambda from Beta(alpha, alpha), labels blended by area (1 is usual; 0: none; not with --mixup; default: the architecture's)." };
        cutmix.Validators.Add(r =>
        {
            if (r.GetValue(cutmix) is < 0 or > 10)
            {
                r.AddError("--cutmix must be between 0 and 10.");
            }
            else if (r.GetValue(cutmix) > 0 && r.GetValue(mixup) > 0)
            {
                r.AddError("--cutmix and --mixup mix batches in two different ways: choose one.");
            }
        });
        var labelSmoothing = new Option<double?>("--label-smoothing") { Description = "Label smoothing: each 0/1 training label moves this far towards 1/2 (0.1: a positive becomes 0.95, a negative 0.05), before any blend with --teacher (0: none; default: the architecture's)." };
        labelSmoothing.Validators.Add(r =>
        {
            if (r.GetValue(labelSmoothing) is < 0 or >= 1)
            {
                r.AddError("--label-smoothing must be at least 0 and below 1.");
            }
        });
        var ema = new Option<double?>("--ema") { Description = "Keep, validate and ship an exponential moving average of the weights with this decay per step, e.g. 0.998 (0: none; default: the architecture's)." };
        ema.Validators.Add(r =>
        {
            if (r.GetValue(ema) is < 0 or >= 1)
            {
                r.AddError("--ema must be at least 0 and below 1.");
            }
        });
        var channels = new Option<string?>("--channels") { Description = "Widths of the convolution blocks, comma-separated, e.g. 32,64,128,208,208 (poster-genre; default: the architecture's)." };
        channels.Validators.Add(r =>
        {
            if (r.GetValue(channels) is { } text && ParseChannels(text) is null)
            {
                r.AddError("--channels takes at least 3 positive whole numbers separated by commas, e.g. 32,64,128,208,208.");
            }
            else if (r.GetValue(channels) is not null && Recipe.Names.Contains(r.GetValue(arch)) && Recipe.For(r.GetValue(arch)!).Channels is null)
            {
                r.AddError($"--channels does not apply to --arch {r.GetValue(arch)}: its widths are fixed.");
            }
        });
        var convs = new Option<string?>("--convs") { Description = "Convolutions per block before its pooling, comma-separated, one per width, e.g. 1,1,2,2,1 (poster-genre; default: one each)." };
        convs.Validators.Add(r =>
        {
            if (r.GetValue(convs) is not { } text)
            {
                return;
            }

            var architecture = r.GetValue(arch)!;
            var widths = r.GetValue(channels) is { } c ? ParseChannels(c) : Recipe.Names.Contains(architecture) ? Recipe.For(architecture).Channels : null;
            if (widths is null)
            {
                r.AddError($"--convs does not apply to --arch {architecture}: its layers are fixed.");
            }
            else if (ParseConvs(text, widths.Length) is null)
            {
                r.AddError($"--convs takes one whole number from 1 to 4 per block, separated by commas: {widths.Length} for widths {string.Join(",", widths)}.");
            }
        });
        var refit = new Option<string?>("--refit") { Description = "An earlier run's output folder: train on its train + validation posters for the full epochs and keep the final weights and its thresholds; tested on its test posters (docs/training.md, \"Refit\")." };
        refit.Validators.Add(r =>
        {
            if (r.GetValue(refit) is not { } run)
            {
                return;
            }

            if (r.GetValue(split) is not null)
            {
                r.AddError("--refit uses the earlier run's split.csv: leave out --split.");
            }
            else if (!File.Exists(Path.Combine(run, DatasetSplit.FileName)))
            {
                r.AddError($"--refit {run}: not a training run folder (no {DatasetSplit.FileName}).");
            }
        });
        var teacher = new Option<string[]>("--teacher") { Description = "Distillation: a trained ONNX model (manifest beside it) whose probabilities are blended into the training targets; repeat for an ensemble (their mean). A teacher of another input size or resize policy scores its own decode of the posters (docs/training.md, \"Distillation\")." };
        teacher.Validators.Add(r =>
        {
            foreach (var path in r.GetValue(teacher) ?? [])
            {
                if (!File.Exists(path))
                {
                    r.AddError($"--teacher {path}: no such model file.");
                }
                else if (!File.Exists(Path.ChangeExtension(path, ".json")))
                {
                    r.AddError($"--teacher {path}: its manifest {Path.ChangeExtension(path, ".json")} is missing.");
                }
            }
        });
        var distill = new Option<double?>("--distill") { Description = "The teachers' share of each training target, above 0 and at most 1: (1 - w) x label + w x teachers' mean (default 0.5; needs --teacher)." };
        distill.Validators.Add(r =>
        {
            if (r.GetValue(distill) is { } w && (w is <= 0 or > 1 || (r.GetValue(teacher) ?? []).Length == 0))
            {
                r.AddError("--distill takes a weight above 0 and at most 1, and needs at least one --teacher.");
            }
        });
        var posWeight = new Option<string?>("--pos-weight") { Description = "Weight of each genre's positives in BCE: none, sqrt (of negatives/positives) or full (the ratio itself), capped at 10 (default: the architecture's)." };
        posWeight.AcceptOnlyFromAmong("none", "sqrt", "full");
        var loss = new Option<string?>("--loss") { Description = "bce (binary cross-entropy with the recipe's positive weights) or asl (asymmetric loss; default: the architecture's)." };
        loss.AcceptOnlyFromAmong("bce", "asl");
        var repeatThreshold = new Option<double?>("--repeat-threshold") { Description = "Repeat factor sampling: a poster of a genre on a share f of the training posters below this threshold t is repeated sqrt(t / f) times per epoch, which then draws as many posters as before, e.g. 0.1 (0: none; default: the architecture's; docs/training.md)." };
        repeatThreshold.Validators.Add(r =>
        {
            if (r.GetValue(repeatThreshold) is < 0 or > 1)
            {
                r.AddError("--repeat-threshold must be between 0 and 1.");
            }
        });
        var trainFraction = new Option<double?>("--train-fraction") { Description = "Train on this share of the training split, e.g. 0.5, drawn with --seed (a smaller share is part of a larger one); validation and test stay whole. For learning curves: how much would more posters help (docs/training.md)." };
        trainFraction.Validators.Add(r =>
        {
            if (r.GetValue(trainFraction) is { } f && f is <= 0 or > 1)
            {
                r.AddError("--train-fraction must be above 0 and at most 1.");
            }
            else if (r.GetValue(trainFraction) is < 1 && r.GetValue(refit) is not null)
            {
                r.AddError("--train-fraction does not go with --refit: a refit trains on all of its run's train and validation posters.");
            }
        });
        // resnet18-imagenet: a size its trunk cannot halve five times evenly fails deep in libtorch otherwise.
        void StrideCheck(System.CommandLine.Parsing.OptionResult r)
        {
            var (w, h) = (r.GetValue(width), r.GetValue(height));
            if (r.GetValue(arch) == "resnet18-imagenet" && (w % PretrainedResNet.TotalStride is > 0 || h % PretrainedResNet.TotalStride is > 0))
            {
                r.AddError($"resnet18-imagenet takes a width and height that are multiples of {PretrainedResNet.TotalStride} (e.g. 192x288 or 224x320): its trunk halves the size five times and pads one side only; got {w?.ToString() ?? "192"}x{h?.ToString() ?? "288"}.");
            }
        }

        width.Validators.Add(StrideCheck);
        height.Validators.Add(StrideCheck);
        var initFrom = new Option<string?>("--init-from") { Description = "resnet18-imagenet: the ONNX network the trunk starts from (default: the ImageNet ResNet18 of the Microsoft.ML.DnnImageFeaturizer.ResNet18 package, copied beside this program)." };
        initFrom.Validators.Add(r =>
        {
            if (r.GetValue(initFrom) is { } path && !File.Exists(path))
            {
                r.AddError($"--init-from {path}: no such file.");
            }
            else if (r.GetValue(initFrom) is not null && r.GetValue(arch) != "resnet18-imagenet")
            {
                r.AddError("--init-from applies to --arch resnet18-imagenet only.");
            }
        });
        var firstStage = new Option<int?>("--first-trainable-stage") { Description = "resnet18-imagenet: the trunk's first stage that trains, 0 (the stem: all of it) to 5 (none: a linear probe on the ImageNet features); earlier stages keep their ImageNet weights (default: the recipe's, 0)." };
        firstStage.Validators.Add(r =>
        {
            if (r.GetValue(firstStage) is < 0 or > 5)
            {
                r.AddError("--first-trainable-stage must be between 0 and 5.");
            }
        });
        var headEpochs = new Option<int?>("--head-epochs") { Description = "resnet18-imagenet: epochs that train the head alone before the trunk joins (default: the recipe's, 1)." };
        var trunkRate = new Option<double?>("--trunk-lr") { Description = "resnet18-imagenet: the trunk's peak learning rate (default: the recipe's, 1e-4; the head's is 1e-3)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the interrupted run in --out from its last finished epoch; give the same command as the first time, plus --resume." };
        var command = new Command("train", "Train a model, export it to ONNX, tune thresholds on validation and evaluate on test.")
        {
            data, output, arch, epochs, seed, split, name, version, limit, maxBatches, batchSize, threads, width, height, resize, decoder, zoom, mixup, cutmix, labelSmoothing, ema, channels, convs, loss, posWeight, refit, teacher, distill, repeatThreshold, trainFraction, initFrom, firstStage, headEpochs, trunkRate, resume,
        };
        command.SetAction(result => CommandSupport.Run(() =>
        {
            var profile = Recipe.For(result.GetValue(arch)!);
            var widths = result.GetValue(channels) is { } text ? ParseChannels(text) : profile.Channels;
            profile = profile with
            {
                Epochs = result.GetValue(epochs) ?? profile.Epochs,
                BatchSize = result.GetValue(batchSize) ?? profile.BatchSize,
                Width = result.GetValue(width) ?? profile.Width,
                Height = result.GetValue(height) ?? profile.Height,
                Resize = result.GetValue(resize) ?? profile.Resize,
                Decoder = result.GetValue(decoder) ?? profile.Decoder,
                Zoom = result.GetValue(zoom) ?? profile.Zoom,
                Mixup = result.GetValue(mixup) ?? profile.Mixup,
                CutMix = result.GetValue(cutmix) ?? profile.CutMix,
                LabelSmoothing = result.GetValue(labelSmoothing) ?? profile.LabelSmoothing,
                EmaDecay = result.GetValue(ema) ?? profile.EmaDecay,
                Loss = result.GetValue(loss) ?? profile.Loss,
                Channels = widths,
                Convs = result.GetValue(convs) is { } counts ? ParseConvs(counts, widths!.Length) : profile.Convs,
                PositiveWeights = result.GetValue(posWeight) is { } w ? w != "none" : profile.PositiveWeights,
                RepeatThreshold = result.GetValue(repeatThreshold) ?? profile.RepeatThreshold,
                PositiveWeightPower = result.GetValue(posWeight) switch { "full" => 1, "sqrt" => 0.5, _ => profile.PositiveWeightPower },
                InitFrom = result.GetValue(initFrom) ?? profile.InitFrom,
                FirstTrainableStage = result.GetValue(firstStage) ?? profile.FirstTrainableStage,
                HeadEpochs = result.GetValue(headEpochs) ?? profile.HeadEpochs,
                TrunkLearningRate = result.GetValue(trunkRate) ?? profile.TrunkLearningRate,
            };
            var options = new TrainOptions
            {
                DataDir = result.GetValue(data)!,
                OutDir = result.GetValue(output)!,
                Profile = profile,
                Seed = result.GetValue(seed),
                SplitFile = result.GetValue(split),
                RefitFrom = result.GetValue(refit),
                Teachers = result.GetValue(teacher) ?? [],
                DistillWeight = result.GetValue(distill) ?? 0.5,
                TrainFraction = result.GetValue(trainFraction) ?? 1,
                ModelName = result.GetValue(name) ?? "",
                Version = result.GetValue(version)!,
                Limit = result.GetValue(limit),
                MaxBatches = result.GetValue(maxBatches),
                Threads = result.GetValue(threads),
                // The command that reproduces the model: a resumed run's is the first one's.
                CommandLine = "postergenre-train " + string.Join(" ", args.Where(a => a != "--resume").Select(CommandSupport.Quote)),
                Resume = result.GetValue(resume),
            };
            return TrainCommand.Execute(options, Console.Out);
        }));
        return command;
    }

    /// <summary>"32,64,128" as widths; null unless there are at least 3 positive whole numbers.</summary>
    internal static long[]? ParseChannels(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = parts.Select(p => long.TryParse(p, out var c) && c > 0 ? c : 0).ToArray();
        return widths.Length >= 3 && widths.All(c => c > 0) ? widths : null;
    }

    /// <summary>"1,1,2,2,1" as convolutions per block; null unless there are <paramref name="blocks"/> counts of 1-4.</summary>
    internal static int[]? ParseConvs(string text, int blocks)
    {
        var counts = text.Split(',', StringSplitOptions.TrimEntries).Select(p => int.TryParse(p, out var n) && n is >= 1 and <= 4 ? n : 0).ToArray();
        return counts.Length == blocks && counts.All(n => n > 0) ? counts : null;
    }
}
