using System.Collections.Concurrent;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Tests.Support;

/// <summary>
/// A Liiklus client as its documentation says to write one: subscribe, open a Receive per assigned partition,
/// process each record, then ack it (at-least-once). Keeps every value it processed.
/// </summary>
public sealed class GroupConsumer : IDisposable
{
    private readonly LiiklusService.LiiklusServiceClient _client;
    private readonly string _topic;
    private readonly string _group;
    private static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(200);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<uint, DateTime> _assignedAt = new();

    private readonly Action<uint>? _delivered;

    /// <param name="delivered">told the partition of every record delivered, as it arrives</param>
    public GroupConsumer(LiiklusService.LiiklusServiceClient client, string topic, string group, Action<uint>? delivered = null)
    {
        _delivered = delivered;
        _client = client;
        _topic = topic;
        _group = group;
        Running = Task.Run(SubscribeAsync);
    }

    public ConcurrentDictionary<string, int> Processed { get; } = new();

    /// <summary>The first offset each partition's Receive streams delivered to this consumer.</summary>
    public ConcurrentDictionary<uint, ulong> FirstOffsets { get; } = new();

    /// <summary>When each partition was last assigned to this consumer.</summary>
    public IReadOnlyDictionary<uint, DateTime> AssignedAt => _assignedAt;

    /// <summary>Partitions whose Receive stream is open and has delivered a record.</summary>
    public IReadOnlyCollection<uint> Receiving => _receiving.Where(r => r.Value > 0).Select(r => r.Key).ToList();

    /// <summary>Open streams per partition: a re-assigned partition's new stream may start before the old one ends.</summary>
    private readonly ConcurrentDictionary<uint, int> _receiving = new();

    public Task Running { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>Subscribes again whenever the subscription ends, as a client that wants its records does.</summary>
    private async Task SubscribeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var subscription = _client.Subscribe(new SubscribeRequest { Topic = _topic, Group = _group }, cancellationToken: _stop.Token);
                await foreach (var reply in subscription.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    _assignedAt[reply.Assignment.Partition] = DateTime.UtcNow;
                    _ = Task.Run(() => ReceiveAsync(reply.Assignment));
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
            {
                LastError = e.Message;
            }

            await Pause();
        }
    }

    /// <summary>The last failure the consumer saw, for a failing test's message.</summary>
    public string? LastError { get; private set; }

    /// <summary>Receives the partition until it is revoked; retries while the gateway answers UNAVAILABLE.</summary>
    private async Task ReceiveAsync(Assignment assignment)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await ReceiveOnceAsync(assignment);
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                LastError = e.Message;
                await Pause();
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
            {
                // Revoked, session over, or the gateway went away: the partition comes back through a new assignment.
                LastError = e.Message;
                return;
            }
        }
    }

    private async Task Pause()
    {
        try
        {
            await Task.Delay(RetryBackoff, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private async Task ReceiveOnceAsync(Assignment assignment)
    {
        var delivering = false;
        try
        {
            using var receive = _client.Receive(new ReceiveRequest { Assignment = assignment }, cancellationToken: _stop.Token);
            await foreach (var reply in receive.ResponseStream.ReadAllAsync(_stop.Token))
            {
                if (!delivering)
                {
                    delivering = true;
                    _receiving.AddOrUpdate(assignment.Partition, 1, (_, open) => open + 1);
                }

                FirstOffsets.TryAdd(assignment.Partition, reply.Record.Offset);
                _delivered?.Invoke(assignment.Partition);
                Processed.AddOrUpdate(reply.Record.Value.ToStringUtf8(), 1, (_, seen) => seen + 1);
                await _client.AckAsync(new AckRequest
                {
                    Topic = _topic,
                    Group = _group,
                    Partition = assignment.Partition,
                    Offset = reply.Record.Offset,
                }, cancellationToken: _stop.Token);
            }
        }
        finally
        {
            if (delivering)
            {
                _receiving.AddOrUpdate(assignment.Partition, 0, (_, open) => open - 1);
            }
        }
    }

    public override string ToString() =>
        $"assigned [{string.Join(", ", _assignedAt.OrderBy(a => a.Key).Select(a => $"{a.Key}@{a.Value:HH:mm:ss.fff}"))}], " +
        $"receiving [{string.Join(", ", Receiving.Order())}], processed {Processed.Count}, last error: {LastError}";
}
