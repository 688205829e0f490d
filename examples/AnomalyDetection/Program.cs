using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AnomalyDetectionExample;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

// Finding what does not fit: trains on the normal classes only, calibrates a threshold on held-out normal images,
// and measures on the test set, where every other class is an anomaly, against PCA at the same code size.
var normalOption = new Option<string>("--normal")
{
    Description = "The classes that are normal, by number and comma-separated (Fashion-MNIST: 5 sandal, 7 sneaker, 9 ankle boot); the detector trains on their images only.",
    DefaultValueFactory = _ => "5,7,9",
};
var rateOption = new Option<double>("--false-positive-rate") { Description = "The share of normal images the threshold may flag.", DefaultValueFactory = _ => 0.01 };
var scoreOption = new Option<string>("--score")
{
    Description = "excess: the negative log-likelihood above a perfect reconstruction's, which ignores how grey an image is; nll: the negative log-likelihood itself.",
    DefaultValueFactory = _ => "excess",
};
scoreOption.AcceptOnlyFromAmong("excess", "nll");
var tableOption = new Option<bool>("--one-class-table") { Description = "Instead, take each class in turn as the only normal one and print the ROC AUC of the detector and of PCA for all ten." };
rateOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<double>() is not (> 0 and < 1))
    {
        result.AddError("--false-positive-rate must lie between 0 and 1, e.g. 0.01.");
    }
});

return ExampleCommand.Run(args, "Trains an anomaly detector on the normal classes and measures how well it finds the others.", defaultEpochs: 10, defaultOutput: "anomaly-detection-output", settings =>
{
    var (train, test) = settings.LoadData(syntheticTrain: 20000);
    using (train)
    using (test)
    {
        if (settings.Parsed.GetValue(tableOption))
        {
            return OneClassTable(train, test, settings);
        }

        var normal = ParseClasses(settings.Parsed.GetValue(normalOption)!, train.ClassNames.Count);
        if (normal is null)
        {
            Console.Error.WriteLine($"--normal takes class numbers from 0 to {train.ClassNames.Count - 1}, comma-separated, such as 5,7,9.");
            return 2;
        }

        var scoring = settings.Parsed.GetValue(scoreOption) == "nll" ? AnomalyScoring.NegativeLogLikelihood : AnomalyScoring.Excess;
        return Detect(train, test, normal, settings.Parsed.GetValue(rateOption), scoring, settings);
    }
},
normalOption,
rateOption,
scoreOption,
tableOption);

static int Detect(LabelledImages train, LabelledImages test, long[] normal, double falsePositiveRate, AnomalyScoring scoring, ExampleSettings settings)
{
    using var scope = NewDisposeScope();
    var names = string.Join(", ", normal.Select(label => train.ClassNames[(int)label]));
    var normalImages = OfClasses(train, normal);
    long calibrationCount = normalImages.shape[0] / 10;
    var (fitImages, calibrationImages) = (normalImages[(int)calibrationCount..], normalImages[..(int)calibrationCount]);
    var isAnomalous = IsIn(test.Labels, normal).logical_not();
    Console.WriteLine($"Normal: {names}. Training on {fitImages.shape[0]:N0} of their images; {calibrationCount:N0} more set the threshold.");

    using var detector = new Detector(seed: settings.Seed);
    var clock = Stopwatch.StartNew();
    ExampleProgress.Train(progress => detector.Fit(fitImages, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, progress: progress));
    Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

    var threshold = detector.CalibrateThreshold(calibrationImages, falsePositiveRate, scoring);
    var report = detector.EvaluateAnomalies(test.Images, isAnomalous, falsePositiveRate);
    using var pca = Pca.Fit(fitImages, Detector.LatentDim);
    var baseline = AnomalyMetrics.Compute(pca.ReconstructionError(test.Images), isAnomalous, falsePositiveRate: falsePositiveRate);
    var at = report.AtThreshold!;
    Console.WriteLine();
    Console.WriteLine($"Test set: {report.Normal:N0} normal images, {report.Anomalies:N0} anomalies (every other class); scored by {(scoring.RelativeToPerfect ? "the negative log-likelihood above a perfect reconstruction's" : "the negative log-likelihood")}.");
    Console.WriteLine($"ROC AUC {report.RocAuc:F4} (PCA reconstruction error with {Detector.LatentDim} components: {baseline.RocAuc:F4}); average precision {report.AveragePrecision:F4} (PCA {baseline.AveragePrecision:F4}).");
    Console.WriteLine($"Detection rate at a false-positive rate of {falsePositiveRate:P1}: {report.DetectionRate:P1} (PCA {baseline.DetectionRate:P1}).");
    Console.WriteLine($"At the threshold of {threshold.Value:F1} nats ({threshold.Calibration}):");
    Console.WriteLine($"  flagged: {at.TruePositives,6:N0} anomalies (true positives)   {at.FalsePositives,6:N0} normal images (false positives)");
    Console.WriteLine($"  passed:  {at.FalseNegatives,6:N0} anomalies (false negatives)  {at.TrueNegatives,6:N0} normal images (true negatives)");
    Console.WriteLine($"  precision {at.Precision:P1}, recall {at.Recall:P1}, F1 {at.F1:F3}; {at.FalsePositives / (double)report.Normal:P1} of the normal test images flagged.");

    const int Shown = 10;
    var scores = detector.AnomalyScore(test.Images, scoring);
    var order = scores.argsort(descending: true);
    var most = test.Images.index_select(0, order[..Shown]);
    var least = test.Images.index_select(0, order[^Shown..]);
    var shares = detector.AnomalyAttribution(most);
    var heat = shares / shares.flatten(1).max(1).values.view(-1, 1, 1, 1);
    ImageGrid.Save(cat([most, least]), settings.Output("most-and-least-anomalous.png"), columns: Shown, scale: 2, rowLabels: ["most anomalous", "least anomalous"]);
    ExampleFiles.Wrote(settings.Output("most-and-least-anomalous.png"), $"the {Shown} most and the {Shown} least anomalous test images");
    ImageGrid.Save(cat([most, detector.Reconstruct(most), heat]), settings.Output("attribution.png"), columns: Shown, scale: 2, rowLabels: ["image", "reconstruction", "share of score"]);
    ExampleFiles.Wrote(settings.Output("attribution.png"), "the most anomalous images, their reconstructions and each pixel's share of the score");
    Plots.RocCurves([("autoencoder", scores), ($"PCA, {Detector.LatentDim} components", pca.ReconstructionError(test.Images))], isAnomalous, settings.Output("roc.png"), $"Finding what is not {names}");
    ExampleFiles.Wrote(settings.Output("roc.png"), "the ROC curves of the detector and of PCA");
    var mostNames = order[..Shown].data<long>().ToArray().Select(index => train.ClassNames[(int)test.Labels[index].item<long>()]);
    Console.WriteLine($"Most anomalous test images: {string.Join(", ", mostNames)}.");

    detector.Save(settings.Output("detector.safetensors"));
    ExampleFiles.Wrote(settings.Output("detector.safetensors"), "the detector with its threshold");
    return 0;
}

// Each class in turn is the only normal one: a detector and PCA are fitted on its training images and ranked on the
// whole test set, in one run, so the ten rows compare like with like.
static int OneClassTable(LabelledImages train, LabelledImages test, ExampleSettings settings)
{
    Console.WriteLine($"One-class detection: ROC AUC on the whole test set of a detector with {Detector.LatentDim}-dimensional codes trained {settings.Epochs} epochs on one class, and of PCA with {Detector.LatentDim} components fitted on the same images.");
    Console.WriteLine();
    Console.WriteLine("| normal class | autoencoder, NLL | autoencoder, NLL above perfect | PCA reconstruction error |");
    Console.WriteLine("|---|---|---|---|");
    double nllSum = 0, excessSum = 0, pcaSum = 0;
    var clock = Stopwatch.StartNew();
    for (long label = 0; label < train.ClassNames.Count; label++)
    {
        using var scope = NewDisposeScope();
        var normalImages = OfClasses(train, [label]);
        var isAnomalous = test.Labels.ne(label);
        using var detector = new Detector(seed: settings.Seed);
        detector.Fit(normalImages, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed });
        double nllAuc = detector.EvaluateAnomalies(test.Images, isAnomalous).RocAuc;
        double excessAuc = detector.EvaluateAnomalies(test.Images, isAnomalous, scoring: AnomalyScoring.Excess).RocAuc;

        using var pca = Pca.Fit(normalImages, Detector.LatentDim);
        double pcaAuc = AnomalyMetrics.Compute(pca.ReconstructionError(test.Images), isAnomalous).RocAuc;
        (nllSum, excessSum, pcaSum) = (nllSum + nllAuc, excessSum + excessAuc, pcaSum + pcaAuc);
        Console.WriteLine($"| {label} {train.ClassNames[(int)label]} | {nllAuc:F4} | {excessAuc:F4} | {pcaAuc:F4} |");
    }

    int classes = train.ClassNames.Count;
    Console.WriteLine($"| mean | {nllSum / classes:F4} | {excessSum / classes:F4} | {pcaSum / classes:F4} |");
    Console.WriteLine();
    Console.WriteLine($"{classes} detectors trained and scored in {clock.Elapsed.TotalSeconds:F0} s.");
    return 0;
}

static long[]? ParseClasses(string text, int classes)
{
    var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    var labels = parts.Select(part => long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var label) && label < classes ? label : -1).Distinct().ToArray();
    return labels.Length == 0 || labels.Contains(-1) || labels.Length == classes ? null : labels;
}

static Tensor IsIn(Tensor labels, long[] classes) => classes.Select(label => labels.eq(label)).Aggregate((a, b) => a.logical_or(b));

static Tensor OfClasses(LabelledImages images, long[] classes) => images.Images.index_select(0, IsIn(images.Labels, classes).nonzero().squeeze(1));
