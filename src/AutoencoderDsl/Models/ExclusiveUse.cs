using System;
using System.Runtime.CompilerServices;
using System.Threading;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// Refuses a model to a second thread while one thread uses it. A model is not thread-safe: training switches it
/// between training and evaluation mode and replaces its parameters' storage, and inference switches the mode too, so
/// two overlapping calls would silently corrupt each other (a fit trained in evaluation mode, or autograd errors).
/// The thread that holds a model may call into it again (a progress handler that reconstructs examples, say), except
/// to start a second <c>Fit</c>.
/// </summary>
internal static class ExclusiveUse
{
    /// <summary>Who holds each model in use; one entry per model, found without a lock.</summary>
    private static readonly ConditionalWeakTable<nn.Module, Holder> Holders = [];

    /// <summary>
    /// Takes <paramref name="module"/> for the calling thread, to run <paramref name="operation"/> (named in the error
    /// another thread gets), until the returned scope is disposed. An <paramref name="exclusive"/> operation (training)
    /// is refused even to the thread that holds the model.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread is using the model, or this one is and the operation is exclusive.</exception>
    public static Scope Enter(nn.Module module, string operation, bool exclusive = false)
    {
        var holder = Holders.GetValue(module, _ => new Holder());
        var user = new User(Environment.CurrentManagedThreadId, operation);
        var current = Volatile.Read(ref holder.User);
        if (current is not null && current.Thread == user.Thread)
        {
            return exclusive
                ? throw new InvalidOperationException(
                    $"{operation} was called while {current.Operation} runs on this same thread (from its progress handler or a callback); a model trains in one run at a time. Start it after {current.Operation} returns.")
                : new Scope(null, null);
        }

        current = Interlocked.CompareExchange(ref holder.User, user, null);
        if (current is not null)
        {
            throw new InvalidOperationException(
                $"This model is already in use: {current.Operation} is running on another thread (managed thread {current.Thread}), so {operation} was refused. A model is not thread-safe; wait for {current.Operation} to finish, or give each thread its own model.");
        }

        return new Scope(holder, user);
    }

    /// <summary>Releases the model on disposal, unless the thread already held it (a nested call).</summary>
    internal readonly struct Scope(Holder? holder, User? user) : IDisposable
    {
        public void Dispose()
        {
            if (holder is not null)
            {
                Interlocked.CompareExchange(ref holder.User, null, user);
            }
        }
    }

    internal sealed class Holder
    {
        public User? User;
    }

    internal sealed record User(int Thread, string Operation);
}
