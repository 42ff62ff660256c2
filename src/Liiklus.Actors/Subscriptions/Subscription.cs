using System.Threading.Channels;

namespace Liiklus.Actors.Subscriptions;

/// <summary>
/// What a Subscribe call drains: the partitions its session is assigned, until the core completes the channel (with
/// the exception that ends the call, if any). Disposing it leaves the group.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly Action _end;

    internal Subscription(string sessionId, ChannelReader<AssignedPartition> assignments, Action end)
    {
        SessionId = sessionId;
        Assignments = assignments;
        _end = end;
    }

    public string SessionId { get; }

    public ChannelReader<AssignedPartition> Assignments { get; }

    public void Dispose() => _end();
}
