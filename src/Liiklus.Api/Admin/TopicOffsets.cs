using Liiklus.Actors.Groups;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Admin;

/// <summary>
/// One topic's offsets as the admin API shows them, "the next record delivered": a partition's end offset is the offset
/// its next record gets (the records storage's last offset + 1), a group's position the offset it receives next
/// (the stored last acked offset + 1).
/// </summary>
internal sealed class TopicOffsets
{
    private readonly IReadOnlyDictionary<int, long> _earliest;
    private readonly IReadOnlyDictionary<int, long> _last;

    private TopicOffsets(IReadOnlyDictionary<int, long> earliest, IReadOnlyDictionary<int, long> last)
    {
        _earliest = earliest;
        _last = last;
    }

    /// <summary>Whether the records storage knows the topic (it answers no partition for an unknown one).</summary>
    public bool Exists => _last.Count > 0;

    public IEnumerable<int> Partitions => _last.Keys.Order();

    public IReadOnlySet<int> PartitionSet => _last.Keys.ToHashSet();

    public int PartitionCount => _last.Count;

    public bool Has(int partition) => _last.ContainsKey(partition);

    public static async Task<TopicOffsets> ReadAsync(IRecordsStorage records, string topic, CancellationToken cancellationToken)
    {
        // Earliest first: records appended or dropped between the two questions cannot put it past the end.
        var earliest = await records.GetEarliestOffsetsAsync(topic, cancellationToken);
        var last = await records.GetEndOffsetsAsync(topic, cancellationToken);
        return new TopicOffsets(earliest, last);
    }

    /// <summary>The offset the partition's next record gets; 0 for a partition the topic does not have.</summary>
    public long EndOf(int partition) => _last.TryGetValue(partition, out var last) ? last + 1 : 0;

    public long EarliestOf(int partition) => Math.Min(_earliest.GetValueOrDefault(partition), EndOf(partition));

    public TopicPartition Describe(int partition) => new()
    {
        Partition = (uint)partition,
        EarliestOffset = (ulong)EarliestOf(partition),
        EndOffset = (ulong)EndOf(partition),
    };

    /// <param name="lastAcked">the stored position (-1: nothing acked, start at 0), or null when none is stored</param>
    /// <param name="lastAckTime">when an ack of the partition was last stored, if the cluster knows</param>
    public GroupPartition OfGroup(int partition, long? lastAcked, LiveSession? owner, DateTimeOffset? lastAckTime = null)
    {
        var end = EndOf(partition);
        var earliest = EarliestOf(partition);
        // A position older than retention kept is read from the oldest record kept, as a consumer would be.
        var next = lastAcked is { } acked ? Math.Max(acked + 1, earliest) : earliest;
        var described = new GroupPartition
        {
            Partition = (uint)partition,
            EndOffset = (ulong)end,
            Lag = (ulong)Math.Max(0, end - next),
        };
        if (lastAcked is { } stored)
        {
            described.Position = (ulong)(stored + 1);
        }

        if (lastAckTime is { } at)
        {
            described.LastAckTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at);
        }

        if (owner is not null)
        {
            described.OwnerSessionId = owner.SessionId;
            if (owner.Node is not null)
            {
                described.OwnerNode = owner.Node;
            }

            if (owner.ClientAddress is not null)
            {
                described.OwnerClientAddress = owner.ClientAddress;
            }
        }

        return described;
    }

    /// <summary>Every partition of the topic and any other one <paramref name="lastAcked"/> has a position on, in order.</summary>
    public IEnumerable<GroupPartition> OfGroup(
        IReadOnlyDictionary<int, long> lastAcked,
        IReadOnlyDictionary<int, LiveSession> owners,
        IReadOnlyDictionary<int, DateTimeOffset>? lastAckTimes = null) =>
        _last.Keys.Union(lastAcked.Keys).Order().Select(partition => OfGroup(
            partition,
            lastAcked.TryGetValue(partition, out var acked) ? acked : null,
            owners.GetValueOrDefault(partition),
            lastAckTimes is not null && lastAckTimes.TryGetValue(partition, out var at) ? at : null));
}
