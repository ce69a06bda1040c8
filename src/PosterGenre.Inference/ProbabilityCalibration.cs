namespace PosterGenre.Inference;

/// <summary>
/// A correction shared by every genre, already applied inside the ONNX graph: each output is
/// sigmoid(<see cref="Scale"/> x logit + <see cref="Bias"/>) of the network's own logit. It moves
/// every probability but no ranking, so the top 3, the per-genre ROC-AUC and AP and (with the
/// thresholds moved alike) the predicted set are those of the uncorrected network. Recorded in the
/// manifest so that a reader knows the probabilities were calibrated, where and by how much.
/// </summary>
/// <param name="Scale">Multiplies each logit (below 1: the network was overconfident).</param>
/// <param name="Bias">Added to each scaled logit (below 0: it read too high).</param>
/// <param name="FittedOn">Which posters the two numbers were fitted on, and which model scored them.</param>
/// <param name="Pairs">(poster, genre) pairs of the fit.</param>
/// <param name="ExpectedErrorBefore">Expected calibration error on those pairs before the correction.</param>
/// <param name="ExpectedErrorAfter">The same after it.</param>
/// <param name="Command">The command that made it.</param>
public sealed record ProbabilityCalibration(
    double Scale, double Bias, string FittedOn, int Pairs, double ExpectedErrorBefore, double ExpectedErrorAfter, string Command);
