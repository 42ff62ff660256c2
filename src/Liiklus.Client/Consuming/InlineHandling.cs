namespace Liiklus.Client;

/// <summary>
/// A handler run over one assignment's records on its Receive loop itself: each run of records the Receive had at hand
/// is handled where it was read, with no hand-over to another task and no wake-up per record. <see cref="Done"/>
/// completes once no record of the assignment is handled any more, also while the loop waits for records.
/// </summary>
internal sealed class InlineHandling
{
    private const int Idle = 0;
    private const int Busy = 1;
    private const int Finished = 2;

    private readonly RecordProcessor _processor;
    private readonly PartitionPump _pump;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _owned;
    private readonly HandlingPermit _permit;
    private readonly RecordContext _firstAttempt;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _previous;
    private int _state;
    private int _ended;

    /// <summary>Handling of <paramref name="pump"/>'s records; <paramref name="previous"/>, that of the assignment it replaces, finishes first.</summary>
    public InlineHandling(RecordProcessor processor, PartitionPump pump, Task previous, CancellationToken stopping)
    {
        _processor = processor;
        _pump = pump;
        _previous = previous;
        _stopping = stopping;
        _owned = CancellationTokenSource.CreateLinkedTokenSource(pump.Owned, stopping);
        _permit = new HandlingPermit(processor.Slots);
        _firstAttempt = new RecordContext(pump.Assignment.Group, 1);
        _owned.Token.Register(StopIfIdle);
    }

    public Task Done => _done.Task;

    /// <returns>false: handle no more records of this assignment</returns>
    public ValueTask<bool> HandleAsync(List<LiiklusRecord> run)
    {
        if (_previous is not null)
        {
            return AfterPreviousAsync(run);
        }

        if (Interlocked.CompareExchange(ref _state, Busy, Idle) != Idle)
        {
            return new ValueTask<bool>(false);
        }

        ValueTask<bool> handling;
        try
        {
            handling = _processor.HandleRunAsync(_pump, run, _firstAttempt, _permit, _owned.Token, _stopping);
        }
        catch
        {
            End();
            throw;
        }

        // A run handled at once (the usual case for a quick handler) costs no state machine here.
        return handling.IsCompletedSuccessfully ? new ValueTask<bool>(Handled(handling.Result)) : FinishAsync(handling);
    }

    private async ValueTask<bool> AfterPreviousAsync(List<LiiklusRecord> run)
    {
        await _previous!.ConfigureAwait(false);
        _previous = null;
        return await HandleAsync(run).ConfigureAwait(false);
    }

    private async ValueTask<bool> FinishAsync(ValueTask<bool> handling)
    {
        var goOn = false;
        try
        {
            goOn = await handling.ConfigureAwait(false);
        }
        finally
        {
            Handled(goOn);
        }

        return goOn;
    }

    /// <summary>The run was handled: idle again, or finished when the handler is to stop.</summary>
    private bool Handled(bool goOn)
    {
        if (goOn)
        {
            Volatile.Write(ref _state, Idle);
            if (_owned.IsCancellationRequested)
            {
                StopIfIdle();
            }
        }
        else
        {
            End();
        }

        return goOn;
    }

    /// <summary>No more records come: the Receive ended.</summary>
    public void End()
    {
        Volatile.Write(ref _state, Finished);
        _done.TrySetResult();
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _owned.Dispose();
        }
    }

    private void StopIfIdle()
    {
        if (Interlocked.CompareExchange(ref _state, Finished, Idle) == Idle)
        {
            _done.TrySetResult();
        }
    }
}
