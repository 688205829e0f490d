using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp.Modules;

// Usage: CrashWorker CHECKPOINT OUTPUT EPOCHS PAUSE_MS
// Trains CrashVae on the built-in shapes with a checkpoint after every epoch, printing "batch E B" after every batch
// (pausing PAUSE_MS so a test can kill it mid-epoch) and, at the end, "done"; writes the model to OUTPUT.safetensors
// and one line per epoch, every loss term in round-trip form, to OUTPUT.history.
var (checkpoint, output) = (args[0], args[1]);
int epochs = int.Parse(args[2], CultureInfo.InvariantCulture);
int pause = int.Parse(args[3], CultureInfo.InvariantCulture);
using var data = SyntheticShapes.Generate(600, seed: 3);
using var validation = SyntheticShapes.Generate(100, seed: 4);
using var model = new CrashVae(seed: 5);
var history = model.Fit(
    data.Images,
    new FitOptions { Epochs = epochs, BatchSize = 50, Seed = 6, Threads = 1, CheckpointPath = checkpoint },
    validation: validation.Images,
    progress: new SynchronousProgress<TrainingProgress>(report =>
    {
        if (report.Kind == TrainingProgressKind.Batch)
        {
            Console.WriteLine($"batch {report.Epoch} {report.Batch}");
            Console.Out.Flush();
            Thread.Sleep(pause);
        }
    }));
model.Save(output + ".safetensors");
File.WriteAllLines(output + ".history", history.Epochs.Select(epoch =>
    $"{epoch.Epoch} {string.Join(" ", epoch.Train.Terms.Select(term => $"{term.Key}={term.Value:R}"))} | {string.Join(" ", epoch.Validation!.Terms.Select(term => $"{term.Key}={term.Value:R}"))}"));
Console.WriteLine($"done: trained {history.TrainedEpochs}, resumed {history.ResumedEpochs}");
return 0;

/// <summary>Small, with dropout and a VAE's noise, so resuming must restore the random state exactly.</summary>
[Variational(LatentDim = 4)]
[Input(1, 28, 28)]
public partial class CrashVae
{
    [Flatten, Dense(64), ReLU, Dropout(0.2)]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
