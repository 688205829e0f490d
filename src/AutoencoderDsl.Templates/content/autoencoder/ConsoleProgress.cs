using AutoencoderDsl.Training;

namespace AutoencoderApp;

/// <summary>Shows training as it runs: a line per epoch, and on a terminal a line of the current batch that updates in place.</summary>
internal static class ConsoleProgress
{
    /// <summary>Pass this as <c>Fit</c>'s <c>progress</c>; it is called on the training thread after every batch and every epoch.</summary>
    public static IProgress<TrainingProgress> Instance { get; } = new SynchronousProgress<TrainingProgress>(report =>
    {
        if (report.Kind == TrainingProgressKind.Epoch)
        {
            // On a terminal, '\r' goes back to the start of the batch line to write over it.
            var start = Console.IsOutputRedirected ? "" : "\r";
            var validation = report.Validation is null ? "" : $"; held out: {report.Validation}";
            Console.WriteLine($"{start}epoch {report.Epoch}/{report.Epochs} in {report.Elapsed.TotalSeconds:F1} s, loss in nats per image: {report.Train}{validation}");
        }
        else if (!Console.IsOutputRedirected)
        {
            // Each batch writes over the last; a log file gets the epoch lines only.
            Console.Write($"\repoch {report.Epoch}/{report.Epochs}, batch {report.Batch}/{report.Batches}: loss {report.Train.Total:F2}, {report.ExamplesPerSecond:N0} images/s, {report.TimeLeft:m\\:ss} left   ");
        }
    });
}
