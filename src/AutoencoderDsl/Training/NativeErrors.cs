using System;
using System.Runtime.InteropServices;

namespace AutoencoderDsl.Training;

/// <summary>
/// libtorch reports errors as exceptions whose message carries kilobytes of C++ frames. At the public API they become
/// an <see cref="InvalidOperationException"/> with the first line only; the original stays as the inner exception.
/// </summary>
internal static class NativeErrors
{
    public static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ExternalException exception)
        {
            throw Clean(exception);
        }
    }

    public static void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (ExternalException exception)
        {
            throw Clean(exception);
        }
    }

    /// <summary>The exception's first line, which says what went wrong, without the frames that follow.</summary>
    public static InvalidOperationException Clean(ExternalException exception)
    {
        var message = exception.Message;
        int end = message.IndexOfAny(['\n', '\r']);
        var first = (end < 0 ? message : message[..end]).Trim();
        return new InvalidOperationException("libtorch refused an operation: " + first, exception);
    }
}
