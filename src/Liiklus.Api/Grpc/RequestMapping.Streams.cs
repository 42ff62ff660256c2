using Google.Protobuf.WellKnownTypes;
using Liiklus.Actors.Browsing;
using Liiklus.Api.Admin;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions;

namespace Liiklus.Api.Grpc;

// The admin API's streaming reads: Browse and WatchGroup.
public static partial class RequestMapping
{
    /// <summary>Records a browse without follow sends when the request names no limit.</summary>
    public const int DefaultBrowseLimit = 100;

    /// <summary>WatchGroup's interval when the request names none.</summary>
    public static readonly TimeSpan DefaultWatchInterval = TimeSpan.FromSeconds(2);

    /// <summary>The shortest interval WatchGroup accepts: each snapshot asks the storages and the coordinator.</summary>
    public static readonly TimeSpan MinWatchInterval = TimeSpan.FromMilliseconds(500);

    public static BrowseQuery Browse(BrowseRequest request)
    {
        var topic = Topic(request.Topic);
        var partitions = request.Partitions.Select(p => Partition(p, "partitions")).Distinct().Order().ToList();
        var from = request.FromCase switch
        {
            BrowseRequest.FromOneofCase.None or BrowseRequest.FromOneofCase.FromEarliest => BrowseFrom.Earliest,
            BrowseRequest.FromOneofCase.FromLatest => BrowseFrom.Latest,
            BrowseRequest.FromOneofCase.FromOffset => new BrowseFrom.Offset(Offset(request.FromOffset, "from_offset")),
            BrowseRequest.FromOneofCase.FromTimestamp => new BrowseFrom.Time(Time(request.FromTimestamp, "from_timestamp")),
            var unknown => throw Invalid("from", $"{unknown} is not a known start"),
        };
        var filter = request.KeyContains.IsEmpty && request.ValueContains.IsEmpty
            ? RecordFilter.None
            : new RecordFilter(request.KeyContains.ToByteArray(), request.ValueContains.ToByteArray());
        int? limit = request.Limit switch
        {
            0 when request.Follow => null,
            0 => DefaultBrowseLimit,
            var asked => (int)Math.Min(asked, int.MaxValue),
        };
        return new BrowseQuery(topic, partitions, from, filter, limit, request.Follow);
    }

    /// <summary>
    /// The partitions a browse reads: those asked for, every one of <paramref name="existing"/> when none is.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT naming <c>partitions</c>: one the topic does not have</exception>
    public static IReadOnlyList<int> BrowsedPartitions(BrowseQuery query, IReadOnlySet<int> existing)
    {
        if (query.Partitions.Count == 0)
        {
            return [.. existing.Order()];
        }

        foreach (var partition in query.Partitions.Where(p => !existing.Contains(p)))
        {
            throw Invalid("partitions", $"topic '{query.Topic}' has no partition {partition} (it has {existing.Count})");
        }

        return query.Partitions;
    }

    public static (string Topic, GroupId Group, TimeSpan Interval) WatchGroup(WatchGroupRequest request)
    {
        var topic = Topic(request.Topic);
        var group = GroupId.FromWire(Required(request.Group, "group"), request.GroupVersion);
        if (request.Interval is null)
        {
            return (topic, group, DefaultWatchInterval);
        }

        var interval = Span(request.Interval, "interval");
        return interval >= MinWatchInterval
            ? (topic, group, interval)
            : throw Invalid("interval", $"{interval.TotalMilliseconds:0.###} ms is shorter than the minimum of {MinWatchInterval.TotalMilliseconds:0} ms");
    }

    private static DateTimeOffset Time(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw Invalid(field, $"{timestamp.Seconds} s and {timestamp.Nanos} ns is not a valid timestamp");
        }
    }

    private static TimeSpan Span(Duration duration, string field)
    {
        try
        {
            return duration.ToTimeSpan();
        }
        catch (InvalidOperationException)
        {
            throw Invalid(field, $"{duration.Seconds} s and {duration.Nanos} ns is not a valid duration");
        }
    }
}
