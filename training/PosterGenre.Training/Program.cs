using System.CommandLine;
using PosterGenre.Imaging;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Export;
using PosterGenre.Training.Training;

namespace PosterGenre.Training;

internal static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("PosterGenre training: train a poster genre CNN with TorchSharp, export it to ONNX and evaluate it.")
        {
            TrainCommand(args),
            EvaluateCommand(),
            ExportCommand(),
            InspectCommand(),
            TuneCommand(),
            CalibrateCommand(args),
            QuantizeCommand(),
            PredictCommand(),
        };

        return root.Parse(args).Invoke();
    }

    private static Command TrainCommand(string[] args)
    {
        var data = DataOption();
        var output = new Option<string>("--out") { Description = "Output folder for model, manifest, metrics, plots and split.", Required = true };
        var arch = new Option<string>("--arch") { Description = "The model and its recipe: poster-genre (default), seed-baseline, or the earlier designs vgg-gram-narrow and resnet-gram (docs/training.md).", DefaultValueFactory = _ => "poster-genre" };
        arch.AcceptOnlyFromAmong(TrainingProfile.Names);
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
        var channels = new Option<string?>("--channels") { Description = "Widths of the convolution blocks, comma-separated, e.g. 32,64,128,208,208 (poster-genre, vgg-plain and vgg-gram-narrow; default: the architecture's)." };
        channels.Validators.Add(r =>
        {
            if (r.GetValue(channels) is { } text && ParseChannels(text) is null)
            {
                r.AddError("--channels takes at least 3 positive whole numbers separated by commas, e.g. 32,64,128,208,208.");
            }
            else if (r.GetValue(channels) is not null && TrainingProfile.Names.Contains(r.GetValue(arch)) && TrainingProfile.For(r.GetValue(arch)!).Channels is null)
            {
                r.AddError($"--channels does not apply to --arch {r.GetValue(arch)}: its widths are fixed.");
            }
        });
        var convs = new Option<string?>("--convs") { Description = "Convolutions per block before its pooling, comma-separated, one per width, e.g. 1,1,2,2,1 (poster-genre, vgg-plain and vgg-gram-narrow; default: one each)." };
        convs.Validators.Add(r =>
        {
            if (r.GetValue(convs) is not { } text)
            {
                return;
            }

            var architecture = r.GetValue(arch)!;
            var widths = r.GetValue(channels) is { } c ? ParseChannels(c) : TrainingProfile.Names.Contains(architecture) ? TrainingProfile.For(architecture).Channels : null;
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
            data, output, arch, epochs, seed, split, name, version, limit, maxBatches, batchSize, threads, width, height, resize, zoom, mixup, cutmix, labelSmoothing, ema, channels, convs, loss, posWeight, refit, teacher, distill, repeatThreshold, trainFraction, initFrom, firstStage, headEpochs, trunkRate, resume,
        };
        command.SetAction(result => Run(() =>
        {
            var profile = TrainingProfile.For(result.GetValue(arch)!);
            var widths = result.GetValue(channels) is { } text ? ParseChannels(text) : profile.Channels;
            profile = profile with
            {
                Epochs = result.GetValue(epochs) ?? profile.Epochs,
                BatchSize = result.GetValue(batchSize) ?? profile.BatchSize,
                Width = result.GetValue(width) ?? profile.Width,
                Height = result.GetValue(height) ?? profile.Height,
                Resize = result.GetValue(resize) ?? profile.Resize,
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
                CommandLine = "postergenre-train " + string.Join(" ", args.Where(a => a != "--resume").Select(Quote)),
                Resume = result.GetValue(resume),
            };
            return TrainRun.Execute(options, Console.Out);
        }));
        return command;
    }

    private static Command EvaluateCommand()
    {
        var model = new Option<string[]>("--model") { Description = "ONNX model(s); each manifest is the same path with .json. Repeat to compare models.", Required = true, AllowMultipleArgumentsPerToken = true };
        var data = DataOption();
        var split = new Option<string?>("--split") { Description = "split.csv from training; with it, --subset picks posters and the prior baseline is added." };
        var subset = new Option<string>("--subset") { Description = "test, validation, train or all (needs --split unless all).", DefaultValueFactory = _ => "test" };
        subset.AcceptOnlyFromAmong("test", "validation", "train", "all");
        var output = new Option<string?>("--out") { Description = "Folder for metrics.json and metrics.md." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Resamples of the posters for 95% intervals of the headline metrics and of the first model's lead over the others (0: none).", DefaultValueFactory = _ => 1000 };
        bootstrap.Validators.Add(r =>
        {
            if (r.GetValue(bootstrap) is < 0 or > 100_000)
            {
                r.AddError("--bootstrap takes 0 (none) to 100000 resamples.");
            }
        });
        var ensemble = new Option<bool>("--ensemble") { Description = "Add a row for the models' mean probability (at the mean of their thresholds), e.g. to see what a set of distillation teachers knows; needs two or more --model." };
        ensemble.Validators.Add(r =>
        {
            if (r.GetValue(ensemble) && r.GetValue(model) is { Length: < 2 })
            {
                r.AddError("--ensemble needs two or more --model.");
            }
        });
        var command = new Command("evaluate", "Score ONNX models on a dataset folder and print the metrics beside the prior baseline.") { model, data, split, subset, output, bootstrap, ensemble };
        command.SetAction(result => Run(() => EvaluateRun.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(split), result.GetValue(subset)!, result.GetValue(output), Console.Out, bootstrapSamples: result.GetValue(bootstrap), ensemble: result.GetValue(ensemble))));
        return command;
    }

    private static Command ExportCommand()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint.bin written by train.", Required = true };
        var arch = new Option<string>("--arch") { Description = "Architecture of the checkpoint.", DefaultValueFactory = _ => "poster-genre" };
        arch.AcceptOnlyFromAmong(TrainingProfile.Names);
        var genres = new Option<int>("--genres") { Description = "Number of genres the model outputs.", DefaultValueFactory = _ => 25 };
        var output = new Option<string>("--out") { Description = "ONNX file to write.", Required = true };
        var command = new Command("export", "Convert a TorchSharp checkpoint to ONNX (train already does this).") { checkpoint, arch, genres, output };
        command.SetAction(result => Run(() => ExportRun.Execute(
            result.GetValue(checkpoint)!, result.GetValue(arch)!, result.GetValue(genres), result.GetValue(output)!, Console.Out)));
        return command;
    }

    private static Command TuneCommand()
    {
        var model = new Option<string>("--model") { Description = "ONNX model; its manifest (same path, .json) is rewritten.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder the model was trained on.", Required = true };
        var split = new Option<string>("--split") { Description = "split.csv written by train.", Required = true };
        var tta = new Option<string>("--tta") { Description = "Test-time augmentation: none or hflip.", DefaultValueFactory = _ => "none" };
        tta.AcceptOnlyFromAmong("none", "hflip");
        var command = new Command("tune", "Re-tune a model's thresholds on validation (e.g. after changing test-time augmentation) and re-evaluate on test.") { model, data, split, tta };
        command.SetAction(result => Run(() => TuneRun.Execute(result.GetValue(model)!, result.GetValue(data)!, result.GetValue(split)!, result.GetValue(tta)!, Console.Out)));
        return command;
    }

    private static Command CalibrateCommand(string[] args)
    {
        var model = new Option<string>("--model") { Description = "ONNX model in its training run folder (manifest and split.csv beside it); left as it is unless --out is its own folder.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder the model was trained on.", Required = true };
        var from = new Option<string?>("--from") { Description = "For a refit: the run folder it refits, whose model scores the validation posters the fit uses (the refit trained on them)." };
        var output = new Option<string>("--out") { Description = "Folder for the calibrated model, its manifest and split.csv (may be the model's own folder: it is then replaced).", Required = true };
        var version = new Option<string?>("--model-version") { Description = "Version of the calibrated model (default: the next patch version, e.g. 1.3.0 -> 1.3.1)." };
        var command = new Command("calibrate", "Fit one scale and bias on the logits on validation posters and build them into a copy of the model, so its probabilities mean what they say; rankings, top 3 and predicted sets stay the same.")
        {
            model, data, from, output, version,
        };
        command.SetAction(result => Run(() => CalibrateRun.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(from), result.GetValue(output)!, result.GetValue(version), "postergenre-train " + string.Join(" ", args.Select(Quote)), Console.Out)));
        return command;
    }

    private static Command QuantizeCommand()
    {
        var model = new Option<string>("--model") { Description = "Float ONNX model in its training run folder (manifest and split.csv beside it).", Required = true };
        var data = DataOption();
        var output = new Option<string>("--out") { Description = "ONNX file to write; its manifest is written beside it.", Required = true };
        var posters = new Option<int>("--posters") { Description = "Training posters whose activations set the ranges.", DefaultValueFactory = _ => 512 };
        var seed = new Option<int>("--seed") { Description = "Seed for choosing those posters.", DefaultValueFactory = _ => 42 };
        var command = new Command("quantize", "Write an int8 copy of a model (weights per output channel, activations from ranges measured on training posters) that ONNX Runtime runs with integer kernels.")
        {
            model, data, output, posters, seed,
        };
        command.SetAction(result => Run(() => QuantizeRun.Execute(
            result.GetValue(model)!, result.GetValue(data)!, result.GetValue(output)!, result.GetValue(posters), result.GetValue(seed), Console.Out)));
        return command;
    }

    private static Command PredictCommand()
    {
        var model = new Option<string>("--model") { Description = "ONNX model; its manifest is the same path with .json.", Required = true };
        var paths = new Argument<string[]>("images") { Description = "Image files, or folders whose images (.jpg, .jpeg, .png, .webp, .gif, .bmp) are all scored.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "CSV file to write; without it, the CSV goes to standard output." };
        var shard = new Option<string?>("--shard") { Description = "I/N: score only the I-th of N stable parts of the images (0 <= I < N, by a hash of each file name), so N workers can tag a catalogue at once; their CSVs together hold every image once (docs/deployment.md)." };
        shard.Validators.Add(r =>
        {
            if (r.GetValue(shard) is { } text && Shard.Parse(text) is null)
            {
                r.AddError($"--shard {text}: give I/N with 0 <= I < N, e.g. 0/4.");
            }
        });
        var workers = new Option<int?>("--workers") { Description = "Images decoded and scored at once, each with one thread (default: one per core)." };
        workers.Validators.Add(r =>
        {
            if (r.GetValue(workers) is < 1)
            {
                r.AddError("--workers: give 1 or more.");
            }
        });
        var command = new Command("predict", "The service's answer for each image, without a service: top 3, predicted set and every genre's probability, as CSV.") { model, paths, output, shard, workers };
        command.SetAction(result => Run(() => PredictRun.Execute(result.GetValue(model)!, result.GetValue(paths)!, result.GetValue(output), Console.Out, Console.Error,
            shard: result.GetValue(shard) is { } text ? Shard.Parse(text) : null, workers: result.GetValue(workers))));
        return command;
    }

    private static Command InspectCommand()
    {
        var data = DataOption();
        var command = new Command("inspect", "Summarise a dataset folder: skipped rows, genre frequencies, image sizes and aspect ratios.") { data };
        command.SetAction(result => Run(() => InspectRun.Execute(result.GetValue(data)!, Console.Out)));
        return command;
    }

    /// <summary>Turns the errors a user can fix into one clear line and exit code 2, never a stack trace.</summary>
    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DatasetException or InvalidDataException or FileNotFoundException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
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

    private static string Quote(string arg) => arg.Contains(' ') ? $"\"{arg}\"" : arg;

    /// <summary>The dataset folder option of train, evaluate and inspect.</summary>
    private static Option<string> DataOption() => new("--data")
    {
        Description = "Dataset folder: posters.csv (Id, Genre, one 0/1 column per genre) and images/<Id>.jpg (or .jpeg, .png, .webp, .gif, .bmp).",
        Required = true,
    };
}
