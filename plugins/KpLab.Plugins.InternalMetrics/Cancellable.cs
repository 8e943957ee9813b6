using System.Runtime.ExceptionServices;

namespace KpLab.Plugins.InternalMetrics;

/// <summary>Runs parallel work that checks a cancellation token, so that cancelling surfaces as one <see cref="OperationCanceledException"/>.</summary>
internal static class Cancellable
{
    /// <summary>
    /// Runs <paramref name="work"/>; when <paramref name="token"/> is cancelled and the work stopped because of it (an
    /// <see cref="OperationCanceledException"/> thrown inside a parallel loop arrives wrapped in an
    /// <see cref="AggregateException"/>), throws that exception unwrapped.
    /// </summary>
    public static T Run<T>(CancellationToken token, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (AggregateException e) when (token.IsCancellationRequested && e.Flatten().InnerExceptions.All(x => x is OperationCanceledException))
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw; // unreachable
        }
    }
}
