using System.Globalization;
using System.Text.RegularExpressions;
using Grpc.Core;
using Liiklus.Actors.Sessions;
using Liiklus.Api.Events;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Grpc;

/// <summary>
/// Turns requests into the core's terms, or fails with INVALID_ARGUMENT (naming the field), NOT_FOUND or
/// RESOURCE_EXHAUSTED. Nothing invalid reaches the actors or the storages.
/// </summary>
public static partial class RequestMapping
{
    public static (string Topic, OutgoingRecord Record) Publish(PublishRequest request, int maxRecordSizeBytes, DateTimeOffset now)
    {
        var topic = Topic(request.Topic);
        var key = request.Key.IsEmpty ? null : request.Key.ToByteArray();
        OutgoingRecord record;
        if (request.EventCase == PublishRequest.EventOneofCase.LiiklusEvent)
        {
            var cloudEvent = Event(request.LiiklusEvent);
            record = new OutgoingRecord(key, cloudEvent.Data, cloudEvent.ToHeaders(), now);
        }
        else
        {
#pragma warning disable CS0612 // the legacy raw value is still part of the contract
            if (request.Value.IsEmpty)
            {
                throw Invalid("liiklusEvent", "one of liiklusEvent or value must be set");
            }

            record = new OutgoingRecord(key, request.Value.ToByteArray(), [], now);
#pragma warning restore CS0612
        }

        if (record.SizeInBytes > maxRecordSizeBytes)
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"record of {record.SizeInBytes} bytes exceeds the maximum of {maxRecordSizeBytes} bytes"));
        }

        return (topic, record);
    }

    public static (string Topic, GroupId Group, OffsetReset Reset) Subscribe(SubscribeRequest request)
    {
        var topic = Topic(request.Topic);
        var group = Required(request.Group, "group");
        var reset = request.AutoOffsetReset switch
        {
            SubscribeRequest.Types.AutoOffsetReset.Earliest => OffsetReset.Earliest,
            SubscribeRequest.Types.AutoOffsetReset.Latest => OffsetReset.Latest,
            var unknown => throw Invalid("auto_offset_reset", $"{(int)unknown} is not EARLIEST (0) or LATEST (1)"),
        };
        return (topic, GroupId.FromWire(group, request.GroupVersion), reset);
    }

    public static (SessionToken Session, string SessionId, int Partition, ReceiveRequest.Types.ContentFormat Format) Receive(ReceiveRequest request)
    {
        if (request.Assignment is null)
        {
            throw Invalid("assignment", "must be set");
        }

        var (session, sessionId) = Session(request.Assignment);
        var format = request.Format switch
        {
            ReceiveRequest.Types.ContentFormat.Binary or ReceiveRequest.Types.ContentFormat.LiiklusEvent => request.Format,
            var unknown => throw Invalid("format", $"{(int)unknown} is not BINARY (0) or LIIKLUS_EVENT (1)"),
        };
        return (session, sessionId, Partition(request.Assignment.Partition, "assignment.partition"), format);
    }

    /// <returns>the ack in the core's terms; <c>SessionId</c> is the session a legacy ack names, null for a stateless one</returns>
    public static (string Topic, GroupId Group, int Partition, long Offset, string? SessionId) Ack(AckRequest request)
    {
        var offset = Offset(request.Offset, "offset");
#pragma warning disable CS0612 // the legacy session-bound ack is still part of the contract
        if (request.Topic.Length == 0 && request.Assignment is { } assignment)
        {
            var (session, sessionId) = Session(assignment);
            return (session.Topic, session.Group, Partition(assignment.Partition, "assignment.partition"), offset, sessionId);
        }
#pragma warning restore CS0612

        var topic = Topic(request.Topic);
        var group = Required(request.Group, "group");
        return (topic, GroupId.FromWire(group, request.GroupVersion), Partition(request.Partition, "partition"), offset, null);
    }

    public static (string Topic, GroupId Group) GetOffsets(GetOffsetsRequest request) =>
        (Topic(request.Topic), GroupId.FromWire(Required(request.Group, "group"), request.GroupVersion));

    public static string GetEndOffsets(GetEndOffsetsRequest request) => Topic(request.Topic);

    public static string DescribeTopic(DescribeTopicRequest request) => Topic(request.Topic);

    /// <summary>The topic whose groups to list; null for every topic's.</summary>
    public static string? ListGroups(ListGroupsRequest request) => request.Topic.Length == 0 ? null : Topic(request.Topic);

    public static (string Topic, GroupId Group) DescribeGroup(DescribeGroupRequest request) =>
        (Topic(request.Topic), GroupId.FromWire(Required(request.Group, "group"), request.GroupVersion));

    public static (string Topic, GroupId Group) ResetGroup(ResetPositionsRequest request) =>
        (Topic(request.Topic), GroupId.FromWire(Required(request.Group, "group"), request.GroupVersion));

    /// <summary>The topic, the group and the partitions to reset (none listed: every partition of the topic).</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: no target, a partition listed twice or out of range</exception>
    public static (string Topic, GroupId Group, IReadOnlyList<int> Partitions) ResetPositions(ResetPositionsRequest request)
    {
        var (topic, group) = ResetGroup(request);
        switch (request.TargetCase)
        {
            case ResetPositionsRequest.TargetOneofCase.None:
                throw Invalid("target", "one of to_earliest, to_latest, to_offset, to_timestamp, by_duration or shift_by must be set");
            case ResetPositionsRequest.TargetOneofCase.ToEarliest when !request.ToEarliest:
                throw Invalid("to_earliest", "must be true when it is the target");
            case ResetPositionsRequest.TargetOneofCase.ToLatest when !request.ToLatest:
                throw Invalid("to_latest", "must be true when it is the target");
            case ResetPositionsRequest.TargetOneofCase.ToOffset:
                Offset(request.ToOffset, "to_offset");
                break;
            case ResetPositionsRequest.TargetOneofCase.ToTimestamp when request.ToTimestamp.Seconds is < -62135596800 or > 253402300799:
                throw Invalid("to_timestamp", "is outside the years 1 to 9999");
            case ResetPositionsRequest.TargetOneofCase.ByDuration when request.ByDuration.Seconds < 0 || request.ByDuration.Nanos < 0:
                throw Invalid("by_duration", "must not be negative");
            case ResetPositionsRequest.TargetOneofCase.ByDuration when request.ByDuration.Seconds > 315537897599:
                throw Invalid("by_duration", "is longer than the calendar");
        }

        var partitions = new List<int>();
        for (var i = 0; i < request.Partitions.Count; i++)
        {
            var partition = Partition(request.Partitions[i], $"partitions[{i}]");
            if (partitions.Contains(partition))
            {
                throw Invalid($"partitions[{i}]", $"partition {partition} is listed twice");
            }

            partitions.Add(partition);
        }

        return (topic, group, partitions);
    }

    /// <summary>The topic, the group name and the version to delete (null: every version of the name).</summary>
    public static (string Topic, string GroupName, uint? Version) DeleteGroup(DeleteGroupRequest request)
    {
        var topic = Topic(request.Topic);
        var name = Required(request.Group, "group");
        if (request.HasGroupVersion)
        {
            var group = GroupId.FromWire(name, request.GroupVersion);
            return (topic, group.Name, group.Version);
        }

        return (topic, name, null);
    }

    private static CloudEvent Event(LiiklusEvent e)
    {
        Required(e.Id, "liiklusEvent.id");
        Required(e.Type, "liiklusEvent.type");
        Required(e.Source, "liiklusEvent.source");
        if (e.Time.Length > 0 && !DateTimeOffset.TryParse(e.Time, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            throw Invalid("liiklusEvent.time", $"'{e.Time}' is not an RFC 3339 timestamp");
        }

        foreach (var name in e.Extensions.Keys)
        {
            if (!ExtensionName().IsMatch(name) || CloudEvent.ReservedAttributeNames.Contains(name))
            {
                throw Invalid(
                    $"liiklusEvent.extensions['{name}']",
                    "extension names are lower-case letters and digits and must not be a CloudEvents attribute name");
            }
        }

        return new CloudEvent(
            e.Id,
            e.Type,
            e.Source,
            e.Time.Length > 0 ? e.Time : null,
            e.DataContentType.Length > 0 ? e.DataContentType : null,
            e.Data.ToByteArray(),
            new Dictionary<string, string>(e.Extensions));
    }

    private static (SessionToken Session, string SessionId) Session(Assignment assignment)
    {
        var sessionId = Required(assignment.SessionId, "assignment.session_id");
        return SessionToken.TryDecode(sessionId, out var session)
            ? (session, sessionId)
            : throw new RpcException(new Status(StatusCode.NotFound, $"session '{sessionId}' is unknown; subscribe again"));
    }

    // Kafka's rules for topic names, so that a name accepted here is accepted by every records storage.
    private static string Topic(string topic) =>
        Required(topic, "topic") is { Length: <= 249 } valid && TopicName().IsMatch(valid) && valid is not ("." or "..")
            ? valid
            : throw Invalid("topic", $"'{topic}' is not a valid topic name: letters, digits, '.', '_' and '-', at most 249");

    private static string Required(string value, string field) =>
        value.Length > 0 ? value : throw Invalid(field, "must not be empty");

    private static int Partition(uint partition, string field) =>
        partition <= int.MaxValue ? (int)partition : throw Invalid(field, $"{partition} is out of range");

    private static long Offset(ulong offset, string field) =>
        offset <= long.MaxValue ? (long)offset : throw Invalid(field, $"{offset} is out of range");

    private static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));

    [GeneratedRegex("^[a-zA-Z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicName();

    [GeneratedRegex("^[a-z0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionName();
}
