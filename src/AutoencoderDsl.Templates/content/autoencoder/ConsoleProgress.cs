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
            var validation = report.Validation is null ? "" : $"; held out: {report.Validation}";
            Console.WriteLine($"\repoch {report.Epoch}/{report.Epochs} in {report.Elapsed.TotalSeconds:F1} s, loss in nats per image: {report.Train}{validation}");
        }
        else if (!Console.IsOutputRedirected)
        {
            // '\r' returns to the start of the line, so each batch overwrites the last; a log file gets the epoch lines only.
            Console.Write($"\repoch {report.Epoch}/{report.Epochs}, batch {report.Batch}/{report.Batches}: loss {report.Train.Total:F2}, {report.ExamplesPerSecond:N0} images/s, {report.TimeLeft:m\\:ss} left   ");
        }
    });
}
