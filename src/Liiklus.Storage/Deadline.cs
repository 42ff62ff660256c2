namespace Liiklus.Storage;

/// <summary>
/// One deadline for a whole call, kept even by client libraries (and storages) that overrun their token: the storages
/// bound their calls with it, and the gateway its probes and metric refreshes.
/// </summary>
public static class Deadline
{
    /// <summary>
    /// Runs <paramref name="operation"/> with a token that fires after <paramref name="timeout"/> (or with the
    /// caller's, if sooner) and answers by then whatever the operation does. A timed-out call is abandoned, not
    /// undone: a write already on its way may still be applied by the store after the caller heard
    /// "unavailable". A late write only ever repeats an ack its client made, so positions may go back to it
    /// (records are delivered again), never past what was acked.
    /// </summary>
    /// <exception cref="TimeoutException">the deadline passed first (the caller's token did not fire)</exception>
    /// <exception cref="OperationCanceledException">the caller's token fired</exception>
    public static async Task<T> RunAsync<T>(
        TimeSpan timeout,
        Func<CancellationToken, Task<T>> operation,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var call = operation(deadline.Token);
        try
        {
            return await call.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The deadline, or a client library's own timeout: either way the store did not answer in time. The
            // call goes on without a listener: observe its end so a late failure is not reported as unobserved.
            _ = call.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.###}s", e);
        }
    }
}
