using System;

namespace AutoencoderDsl.Training;

/// <summary>
/// Calls a handler on the training thread for every report. Unlike <see cref="Progress{T}"/>, which posts reports to
/// the thread pool or a synchronization context, reports arrive in order and before <c>Fit</c> returns.
/// </summary>
/// <typeparam name="T">The report type, usually <see cref="TrainingProgress"/>.</typeparam>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly Action<T> handler;

    /// <summary>Reports to <paramref name="handler"/>.</summary>
    public SynchronousProgress(Action<T> handler) => this.handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <inheritdoc/>
    public void Report(T value) => handler(value);
}
