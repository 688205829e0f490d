using System.CommandLine;
using AutoencoderApp;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using TorchSharp;

// Trains the detector declared in AnomalyDetector.cs on the images of one class, the normal one, calibrates a
// threshold on normal images it did not train on, and reports what it flags among the test images, where every
// other class is an anomaly; then saves it, threshold included.
// `dotnet run -- --help` lists the options; `dotnet run -- --normal Ring` makes rings the normal class.
var normalOption = new Option<string?>("--normal") { Description = "The normal class, by name or number (default: the first); the detector trains on its images only." };
return Settings.Run(args, "Trains an anomaly detector on one class and reports what it flags among the others.", settings =>
{
    // The share of normal images the threshold may flag: lower misses more anomalies, higher raises more false alarms.
    const double FalsePositiveRate = 0.01;
    var (train, test) = ImageData.Load(settings);
    using (train)
    using (test)
    using (torch.NewDisposeScope())
    {
        int normal = ClassChoice.Parse(settings.Parsed.GetValue(normalOption), train.ClassNames, "--normal");
        string normalName = train.ClassNames[normal];

        // A tenth of the normal training images is kept back to set the threshold: scores of images the model trained
        // on are lower than those of new normal images, and would set it too low.
        var normalImages = train.Images.index_select(0, train.Labels.eq(normal).nonzero().squeeze(1));
        int calibrationCount = Math.Max(1, (int)normalImages.shape[0] / 10);
        var calibration = normalImages.narrow(0, 0, calibrationCount);
        var fit = normalImages.narrow(0, calibrationCount, normalImages.shape[0] - calibrationCount);
        Console.WriteLine($"Normal: {normalName}. Training on {fit.shape[0]:N0} of its images; {calibrationCount:N0} more set the threshold.");

        using var model = new AnomalyDetector(seed: settings.Seed);
        var history = model.Fit(fit, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, progress: ConsoleProgress.Instance);
        var threshold = model.CalibrateThreshold(calibration, FalsePositiveRate);
        Console.WriteLine($"Threshold: an anomaly score above {threshold.Value:F1} nats is an anomaly ({threshold.Calibration}).");

        // Every test image of another class is an anomaly.
        var isAnomalous = test.Labels.ne(normal);
        var flagged = model.IsAnomaly(test.Images);
        long anomalies = isAnomalous.sum().item<long>(), normals = test.Count - anomalies;
        long caught = flagged.logical_and(isAnomalous).sum().item<long>(), falseAlarms = flagged.logical_and(isAnomalous.logical_not()).sum().item<long>();
        Console.WriteLine($"Test images: flagged {caught:N0} of {anomalies:N0} anomalies and {falseAlarms:N0} of {normals:N0} normal images.");
        var scores = model.AnomalyScore(test.Images);
        if (anomalies > 0 && normals > 0)
        {
            // The ROC AUC is the chance that an anomaly scores above a normal image: 1 is perfect, 0.5 is guessing.
            var report = model.EvaluateAnomalies(test.Images, isAnomalous, FalsePositiveRate);
            Console.WriteLine($"ROC AUC {report.RocAuc:F3}; at the threshold, precision {report.AtThreshold!.Precision:P1} and recall {report.AtThreshold.Recall:P1}.");
            Plots.RocCurves([("autoencoder", scores)], isAnomalous, settings.Output("roc.png"), $"Finding what is not {normalName}");
        }

        // The test images the model finds most anomalous, above their reconstructions.
        var most = test.Images.index_select(0, scores.argsort(descending: true).narrow(0, 0, Math.Min(test.Count, 12)));
        Plots.LossCurves(history, settings.Output("loss.png"));
        ImageGrid.Save(torch.cat([most, model.Reconstruct(most)]), settings.Output("most-anomalous.png"), columns: (int)most.shape[0], scale: 2, rowLabels: ["most anomalous", "reconstructed"]);
        Console.WriteLine($"Wrote loss.png, most-anomalous.png{(anomalies > 0 && normals > 0 ? " and roc.png" : "")} to {settings.OutputFolder}.");

        // Save writes the weights and the threshold; Load checks every name and shape and builds a new model from them.
        var path = settings.Output("model.safetensors");
        model.Save(path);
        using var loaded = AnomalyDetector.Load(path);
        bool same = loaded.IsAnomaly(test.Images).equal(flagged).all().item<bool>();
        Console.WriteLine($"Saved the model to {path} and loaded it back: threshold {loaded.AnomalyThreshold!.Value:F1} nats, and it flags {(same ? "the same" : "different")} test images.");
    }

    return 0;
},
normalOption);
