namespace Liiklus.Client;

/// <summary>
/// One partition's share of the consumer's bound on partitions handled at once: taken while a record is handled
/// (its handler runs on the partition's Receive loop, so a loop waiting for records or for an ack holds none) and
/// given back while the record waits to be retried, so a partition backing off does not hold up the others.
/// </summary>
internal sealed class HandlingPermit(HandlingSlots slots)
{
    private bool _held;

    /// <summary>Takes the permit if it is held or free now, without waiting.</summary>
    public bool TryTake()
    {
        if (!_held && slots.TryTake())
        {
            _held = true;
        }

        return _held;
    }

    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        if (!_held)
        {
            await slots.TakeAsync(cancellationToken).ConfigureAwait(false);
            _held = true;
        }
    }

    /// <summary>Gives the permit back if held; safe to call again.</summary>
    public void Release()
    {
        if (_held)
        {
            _held = false;
            slots.Release();
        }
    }

    /// <summary>Waits <paramref name="delay"/> without the permit, then takes it again.</summary>
    /// <exception cref="OperationCanceledException">cancelled while waiting or taking it</exception>
    public async Task PauseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        Release();
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        await TakeAsync(cancellationToken).ConfigureAwait(false);
    }
}
