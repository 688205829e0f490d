using System;
using System.CommandLine;
using System.Diagnostics;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using TorchSharp;
using VaeQualityExample;
using static TorchSharp.torch;

// How good is a trained VAE? Its test ELBO and the tighter IWAE bound on log p(x), in nats per image, and how many of
// its samples a classifier trained on real images recognises with confidence, drawing codes from the prior N(0, I) or
// from a Gaussian mixture fitted on the training data's codes.
var imagesOption = new Option<int>("--iwae-images") { Description = "Test images the IWAE bound is computed on (k decodes each).", DefaultValueFactory = _ => 10000 };
var samplesOption = new Option<int>("--iwae-samples") { Description = "The k of the IWAE bound: posterior draws per image.", DefaultValueFactory = _ => 1000 };
var componentsOption = new Option<int>("--components") { Description = "Gaussians in the mixture sampler.", DefaultValueFactory = _ => 10 };
return ExampleCommand.Run(args, "Trains the 784-400-20 VAE and measures its likelihood bounds and its samples.", defaultEpochs: 10, defaultOutput: "vae-quality-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        using var vae = new MlpVae(seed: settings.Seed);
        var clock = Stopwatch.StartNew();
        ExampleProgress.Train(progress => vae.Fit(train.Images, new FitOptions { Epochs = settings.Epochs, BatchSize = 128, Seed = settings.Seed }, progress: progress));
        Console.WriteLine($"Trained {settings.Epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s.");

        using var scope = NewDisposeScope();
        int images = Math.Min(settings.Parsed.GetValue(imagesOption), test.Count), k = settings.Parsed.GetValue(samplesOption);
        var measured = test.Images[..images];
        double elbo = -vae.AnomalyScore(measured).mean().item<double>();
        clock.Restart();
        double iwae = vae.LogLikelihood(measured, samples: k).mean().item<double>();
        Console.WriteLine();
        Console.WriteLine($"On {images:N0} test images, in nats per image: ELBO {elbo:F2} (16 posterior draws each), IWAE bound with k = {k:N0}: {iwae:F2} ({clock.Elapsed.TotalSeconds:F0} s); "
            + $"the bound is {iwae - elbo:F2} nats tighter.");

        using var classifier = ReferenceClassifier.Train(train.Images, train.Labels, train.ClassNames.Count, epochs: 5, seed: settings.Seed);
        Console.WriteLine($"Reference classifier: {classifier.Accuracy(test.Images, test.Labels):P1} accurate on the real test images, {classifier.ConfidentShare(test.Images):P1} of them with confidence ≥ 0.9.");
        const int Count = 10000;
        var fromPrior = vae.Sample(Count, new Generator((ulong)settings.Seed));
        vae.FitSampler(train.Images, components: settings.Parsed.GetValue(componentsOption), seed: settings.Seed);
        var fromMixture = vae.Sample(Count, new Generator((ulong)settings.Seed));
        Console.WriteLine($"Samples recognised with confidence ≥ 0.9: {classifier.ConfidentShare(fromPrior):P1} drawn from the prior, "
            + $"{classifier.ConfidentShare(fromMixture):P1} from the {vae.Sampler!.Components}-component mixture fitted on the training codes ({Count:N0} each).");

        ImageGrid.Save(fromPrior[..64], settings.Output("prior-samples.png"), columns: 8, scale: 2, title: "Codes from the prior N(0, I)");
        ExampleFiles.Wrote(settings.Output("prior-samples.png"), "64 samples decoded from prior draws");
        ImageGrid.Save(fromMixture[..64], settings.Output("mixture-samples.png"), columns: 8, scale: 2, title: "Codes from the mixture fitted on the training codes");
        ExampleFiles.Wrote(settings.Output("mixture-samples.png"), "64 samples decoded from mixture draws");
        vae.Save(settings.Output("mlp-vae.safetensors"));
        ExampleFiles.Wrote(settings.Output("mlp-vae.safetensors"), "the model with its sampler");
    }

    return 0;
},
imagesOption,
samplesOption,
componentsOption);
