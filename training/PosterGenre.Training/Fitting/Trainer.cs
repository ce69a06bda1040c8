using System.Diagnostics;
using PosterGenre.Training.Data;
using PosterGenre.Training.Evaluation;
using PosterGenre.Training.Models;
using PosterGenre.Training.Reporting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PosterGenre.Training.Fitting;

/// <summary>
/// Trains one network on the cached training split, checks it on validation after each epoch and
/// keeps the weights of the epoch with the best validation mAP in <c>checkpoint.bin</c>. Without
/// validation posters (a refit), every epoch runs and the final weights are kept. With teachers
/// (distillation), the training targets blend the labels with the teachers' probabilities;
/// validation always scores against the labels.
/// </summary>
public sealed class Trainer(TrainOptions options, PixelCache cache, int[] train, int[] validation, string[] genres, TeacherTargets? teachers = null)
{
    public const string CheckpointName = "checkpoint.bin";

    public List<EpochRecord> History { get; } = [];

    public nn.Module<Tensor, Tensor> Train(TextWriter log)
    {
        var profile = options.Profile;
        var net = profile.CreateNet(genres.Length);
        var model = (IGenreNet)net;
        var batches = new BatchMaker(cache, options.Seed, profile.Augment ? profile.Zoom : 0);
        var posWeight = profile.PositiveWeights && profile.Loss != "asl" ? PositiveWeights() : null;
        using var average = profile.EmaDecay > 0 ? new WeightAverage(net, profile.CreateNet(genres.Length), profile.EmaDecay) : null;
        var kept = average?.Network ?? net;
        var pretrained = net as PretrainedResNet;
        pretrained?.InitHeadBias([.. Enumerable.Range(0, genres.Length).Select(g => train.Count(i => cache.Posters[i].Labels[g]) / (double)train.Length)]);
        var optimizer = CreateOptimizer(net, profile);

        var batchesPerEpoch = (train.Length + profile.BatchSize - 1) / profile.BatchSize;
        if (options.MaxBatches > 0)
        {
            batchesPerEpoch = Math.Min(batchesPerEpoch, options.MaxBatches);
        }

        var scheduler = profile.Optimizer != "adamw" ? null
            : pretrained is not null ? optim.lr_scheduler.OneCycleLR(optimizer, [profile.TrunkLearningRate, profile.LearningRate], total_steps: profile.Epochs * batchesPerEpoch, pct_start: profile.WarmupFraction)
            : optim.lr_scheduler.OneCycleLR(optimizer, profile.LearningRate, total_steps: profile.Epochs * batchesPerEpoch, pct_start: profile.WarmupFraction);

        var checkpoint = Path.Combine(options.OutDir, CheckpointName);
        var random = new Random(options.Seed);
        var sampler = new EpochSampler(cache.Posters, train, profile.RepeatThreshold);
        if (profile.RepeatThreshold > 0)
        {
            var repeated = genres.Zip(sampler.GenreFactors).Where(p => p.Second > 1).Select(p => $"{p.First} x{p.Second:F2}");
            log.WriteLine($"repeat factor sampling (threshold {profile.RepeatThreshold:G}): {string.Join(", ", repeated)}; an epoch draws {train.Length} posters from {sampler.Expansion:F2} x the training set");
        }

        using var probe = pretrained is not null && pretrained.IsProbe(profile.FirstTrainableStage)
            ? FeatureCache.Compute(pretrained, batches, [.. train, .. validation])
            : null;
        if (probe is not null)
        {
            log.WriteLine("linear probe: the trunk's features of every poster computed once, each epoch trains the head alone (no augmentation)");
        }

        var progress = new ProgressBar(profile.Epochs, batchesPerEpoch);
        var best = double.NegativeInfinity;
        var sinceBest = 0;
        var steps = 0;
        var done = 0;
        log.WriteLine($"training {profile.Architecture}: {train.Length} train / {validation.Length} validation posters, {batchesPerEpoch} batches of {profile.BatchSize} per epoch, {model.Macs / 1e6:F0} M MACs per poster");
        if (options.Resume)
        {
            // The weights, weight average, optimizer moments, learning-rate schedule, order of the
            // posters and the history continue exactly; augmentation and dropout draw from fresh
            // seeds, so the rest of the run is another sample of the same recipe.
            var state = ResumeState.Load(options.OutDir);
            state.CheckMatches(profile.Architecture, profile.Epochs, options.Seed, train.Length);
            var folder = state.EpochFolder(options.OutDir);
            net.load(Path.Combine(folder, "weights.bin"));
            average?.Network.load(Path.Combine(folder, "average.bin"));
            ((OptimizerHelper)optimizer).load_state_dict(Path.Combine(folder, "optimizer.bin"));
            for (steps = 0; steps < state.Steps; steps++)
            {
                scheduler?.step();
            }

            for (var e = 0; e < state.EpochsDone; e++)
            {
                _ = sampler.NextEpoch(random);
            }

            (done, best, sinceBest) = (state.EpochsDone, state.Best, state.SinceBest);
            History.AddRange(state.History);
            batches = new BatchMaker(cache, options.Seed + done, profile.Augment ? profile.Zoom : 0);
            torch.random.manual_seed(options.Seed + done);
            if (StopsEarly(done, sinceBest))
            {
                log.WriteLine($"the interrupted run had already stopped early after epoch {done}");
                done = profile.Epochs;
            }

            log.WriteLine($"resuming after epoch {state.EpochsDone} of {profile.Epochs} (best validation mAP so far {(validation.Length == 0 ? "n/a" : best.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))})");
        }

        for (var epoch = done + 1; epoch <= profile.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = sampler.NextEpoch(random);
            if (pretrained is not null)
            {
                pretrained.TrainableStages(epoch <= profile.HeadEpochs ? pretrained.TrunkStages : profile.FirstTrainableStage);
            }

            net.train();
            double lossSum = 0;
            var seen = 0;
            for (var b = 0; b < batchesPerEpoch; b++)
            {
                using var scope = NewDisposeScope();
                var indices = order.Skip(b * profile.BatchSize).Take(profile.BatchSize).ToArray();
                if (indices.Length < 2)
                {
                    continue;
                }

                var x = probe?.Rows(indices) ?? batches.Images(indices);
                if (profile.Augment && probe is null)
                {
                    x = batches.Augment(x);
                }

                var y = batches.Labels(indices, teachers, profile.LabelSmoothing);
                if (profile.Augment && profile.Mixup > 0)
                {
                    (x, y) = batches.Mixup(x, y, profile.Mixup);
                }
                else if (profile.Augment && profile.CutMix > 0)
                {
                    (x, y) = batches.CutMix(x, y, profile.CutMix);
                }

                var logits = probe is null ? model.Logits(x) : pretrained!.Head(x);
                var loss = profile.Loss == "asl" ? Losses.Asymmetric(logits, y) : nn.functional.binary_cross_entropy_with_logits(logits, y, pos_weights: posWeight);
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new NumericsException($"the training loss is {value} at epoch {epoch}, batch {b + 1} of {batchesPerEpoch} (step {steps + 1}): the run is stopped before the weights take it in. Run postergenre-train check-numerics on this machine, or lower the learning rate.");
                }

                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                scheduler?.step();
                steps++;
                average?.Update();
                lossSum += value * indices.Length;
                seen += indices.Length;
                progress.Report(epoch, b + 1, lossSum / seen, indices.Length);
            }

            var rate = optimizer.ParamGroups.First().LearningRate;
            var trainLoss = lossSum / Math.Max(1, seen);
            if (validation.Length == 0)
            {
                var trainSeconds = clock.Elapsed.TotalSeconds;
                History.Add(new EpochRecord(epoch, trainLoss, null, null, rate, seen / trainSeconds, trainSeconds));
                kept.save(checkpoint);
                progress.EndEpoch($"epoch {epoch}: train loss {trainLoss:F4} (no validation: refit), {trainSeconds:F0} s");
                SaveForResume(epoch, steps, best, sinceBest, net, average, optimizer);
                continue;
            }

            var (valLoss, valMap) = Validate(kept, batches, posWeight, probe);
            double? rawMap = average is null ? null : Validate(net, batches, posWeight).Map;
            var rawNote = rawMap is null ? "" : $" (raw weights {rawMap:F4})";
            // An epoch's time and rate include its validation pass, as in every earlier run's history.
            var seconds = clock.Elapsed.TotalSeconds;
            History.Add(new EpochRecord(epoch, trainLoss, valLoss, valMap, rate, seen / seconds, seconds, rawMap));
            var improved = valMap > best;
            if (improved)
            {
                best = valMap;
                sinceBest = 0;
                kept.save(checkpoint);
            }
            else
            {
                sinceBest++;
            }

            progress.EndEpoch($"epoch {epoch}: train loss {trainLoss:F4}, validation loss {valLoss:F4}, validation mAP {valMap:F4}{rawNote}{(improved ? " (best, saved)" : "")}, {seconds:F0} s");
            SaveForResume(epoch, steps, best, sinceBest, net, average, optimizer);
            if (StopsEarly(epoch, sinceBest))
            {
                log.WriteLine($"early stop: no better validation mAP for {profile.Patience} epochs");
                break;
            }
        }

        net.load(checkpoint);
        net.eval();
        return net;
    }

    /// <summary>
    /// Adam (the seed's), AdamW; for a pretrained trunk, AdamW with the trunk and the head in two
    /// groups (their own rates from the schedule) and PyTorch's beta2 of 0.999.
    /// </summary>
    private static optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> net, Recipe profile) => net switch
    {
        PretrainedResNet pretrained => optim.AdamW(
            [new AdamW.ParamGroup(pretrained.TrunkParameters, profile.TrunkLearningRate, beta2: 0.999, weight_decay: profile.WeightDecay),
             new AdamW.ParamGroup(pretrained.HeadParameters, profile.LearningRate, beta2: 0.999, weight_decay: profile.WeightDecay)],
            profile.LearningRate, beta2: 0.999, weight_decay: profile.WeightDecay),
        _ when profile.Optimizer == "adamw" => optim.AdamW(net.parameters(), profile.LearningRate, weight_decay: profile.WeightDecay),
        _ => optim.Adam(net.parameters(), profile.LearningRate),
    };

    /// <summary>
    /// Early stopping: no better validation mAP for <see cref="Recipe.Patience"/> epochs,
    /// counted only once the rate has started to fall (validation mAP is noisy near the peak rate).
    /// </summary>
    private bool StopsEarly(int epoch, int sinceBest) =>
        options.Profile.Patience > 0 && sinceBest >= options.Profile.Patience
        && epoch > (int)(options.Profile.Epochs * options.Profile.WarmupFraction) + options.Profile.Patience;

    /// <summary>
    /// Writes what <c>--resume</c> needs after a finished epoch; with <see cref="TrainOptions.StopAfterEpoch"/>
    /// (tests), then stops the run as an interruption would.
    /// </summary>
    private void SaveForResume(int epoch, int steps, double best, int sinceBest, nn.Module<Tensor, Tensor> net, WeightAverage? average, optim.Optimizer optimizer)
    {
        var state = new ResumeState(options.Profile.Architecture, options.Profile.Epochs, options.Seed, train.Length, epoch, steps, best, sinceBest, [.. History]);
        state.Save(options.OutDir, folder =>
        {
            net.save(Path.Combine(folder, "weights.bin"));
            average?.Network.save(Path.Combine(folder, "average.bin"));
            ((OptimizerHelper)optimizer).save_state_dict(Path.Combine(folder, "optimizer.bin"));
        });
        if (epoch == options.StopAfterEpoch)
        {
            throw new OperationCanceledException($"stopped after epoch {epoch} of {options.Profile.Epochs}");
        }
    }

    /// <summary>Eval-mode probabilities for cached posters, in batches.</summary>
    public static float[][] Predict(nn.Module<Tensor, Tensor> net, BatchMaker batches, IReadOnlyList<int> indices, int batchSize = 64)
    {
        net.eval();
        var model = (IGenreNet)net;
        var result = new List<float[]>();
        using var noGrad = no_grad();
        for (var start = 0; start < indices.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = indices.Skip(start).Take(batchSize).ToArray();
            var probabilities = sigmoid(model.Logits(batches.Images(chunk))).data<float>().ToArray();
            var genres = probabilities.Length / chunk.Length;
            for (var i = 0; i < chunk.Length; i++)
            {
                result.Add(probabilities.AsSpan(i * genres, genres).ToArray());
            }
        }

        return [.. result];
    }

    /// <summary>The pooled features of each poster, L2-normalised: what the exported model's embedding output computes.</summary>
    public static float[][] Embed(PretrainedResNet net, BatchMaker batches, IReadOnlyList<int> indices, int batchSize = 64)
    {
        net.eval();
        var result = new List<float[]>();
        using var noGrad = no_grad();
        foreach (var chunk in indices.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var features = nn.functional.normalize(net.Features(batches.Images(chunk)), p: 2, dim: 1).data<float>().ToArray();
            result.AddRange(features.Chunk(net.FeatureLength));
        }

        return [.. result];
    }

    private (double Loss, double Map) Validate(nn.Module<Tensor, Tensor> net, BatchMaker batches, Tensor? posWeight, FeatureCache? probe = null)
    {
        var probabilities = probe is null ? Predict(net, batches, validation) : PredictFromFeatures((PretrainedResNet)net, probe);
        var labels = validation.Select(i => cache.Posters[i].Labels).ToArray();
        double loss;
        using (var scope = NewDisposeScope())
        {
            var p = tensor(probabilities.SelectMany(r => r).ToArray(), [probabilities.Length, genres.Length]).clamp(1e-7, 1 - 1e-7);
            var y = batches.Labels(validation);
            var w = posWeight ?? ones(genres.Length);
            loss = (-((y * w * p.log()) + ((1 - y) * (1 - p).log()))).mean().item<float>();
        }

        return (loss, RankingMetrics.MacroAp(probabilities, labels, options.MinPositivesForMacro));
    }

    private float[][] PredictFromFeatures(PretrainedResNet net, FeatureCache probe)
    {
        net.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var probabilities = sigmoid(net.Head(probe.Rows(validation))).data<float>().ToArray();
        return [.. validation.Select((_, i) => probabilities.AsSpan(i * genres.Length, genres.Length).ToArray())];
    }

    /// <summary>
    /// Per-genre weight of the positives in BCE: (negatives / positives) to the given power (0.5:
    /// square root, 1: full ratio), between 1 and 10; 1 for a genre without positives.
    /// </summary>
    internal static float[] PositiveWeightsFor(int[] positives, int posters, double power) =>
        [.. positives.Select(p => p == 0 ? 1f : (float)Math.Clamp(Math.Pow((posters - p) / (double)p, power), 1, 10))];

    private Tensor PositiveWeights() =>
        tensor(PositiveWeightsFor([.. Enumerable.Range(0, genres.Length).Select(g => train.Count(i => cache.Posters[i].Labels[g]))], train.Length, options.Profile.PositiveWeightPower));
}
