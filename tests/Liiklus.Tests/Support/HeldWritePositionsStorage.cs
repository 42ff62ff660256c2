using System.Collections.Concurrent;
using Liiklus.Storage.Positions;

namespace Liiklus.Tests.Support;

/// <summary>
/// A positions storage whose writes of one offset wait until the test lets them through, so that a spec can hold an
/// ack's write in flight; every other call goes straight to <paramref name="storage"/>. It keeps the offsets written,
/// in the order they reached it.
/// </summary>
public sealed class HeldWritePositionsStorage(IPositionsStorage storage, long heldOffset) : ForwardingPositionsStorage(storage)
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _heldStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<long> _written = new();

    /// <summary>Completes when the held offset's write has reached the storage.</summary>
    public Task HeldWriteStarted => _heldStarted.Task;

    /// <summary>The offsets written so far, in the order they were applied.</summary>
    public IReadOnlyList<long> Written => [.. _written];

    public void Release() => _held.TrySetResult();

    public override async Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken)
    {
        if (offset == heldOffset)
        {
            _heldStarted.TrySetResult();
            await _held.Task.WaitAsync(cancellationToken);
        }

        await Inner.UpdateAsync(topic, group, partition, offset, cancellationToken);
        _written.Enqueue(offset);
    }
}
