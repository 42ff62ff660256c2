using System.Text.Json.Nodes;
using Liiklus.Client;

namespace Liiklus.Cli.Output;

/// <summary>
/// The JSON document of each kind of result, field by field: their names are the stable contract of <c>-o json</c>
/// for scripts, so they are written out here rather than derived from the library's types.
/// </summary>
internal static class Documents
{
    public static JsonObject Consumed(LiiklusRecord record)
    {
        var document = Record(record.Topic, record.Partition, record.Offset, record.Timestamp);
        Bytes.AddTo(document, "key", record.Key.IsEmpty ? null : record.Key);
        Bytes.AddTo(document, "value", record.Value);
        document["replay"] = record.IsReplay;
        document["event"] = record.Event is { } e ? Event(e) : null;
        return document;
    }

    public static JsonObject Browsed(BrowsedRecord record)
    {
        var document = Record(record.Topic, record.Partition, record.Offset, record.Timestamp);
        Bytes.AddTo(document, "key", record.Key);
        Bytes.AddTo(document, "value", record.Value);
        var headers = new JsonArray();
        foreach (var header in record.Headers)
        {
            var h = new JsonObject { ["name"] = header.Name };
            Bytes.AddTo(h, "value", header.Value);
            headers.Add(h);
        }

        document["headers"] = headers;
        return document;
    }

    public static JsonObject Event(CloudEvent e)
    {
        var extensions = new JsonObject();
        foreach (var (name, value) in e.Extensions.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            extensions[name] = value;
        }

        return new JsonObject
        {
            ["id"] = e.Id,
            ["type"] = e.Type,
            ["source"] = e.Source.OriginalString,
            ["time"] = e.Time is { } time ? RecordFormat.Time(time) : null,
            ["dataContentType"] = e.DataContentType,
            ["extensions"] = extensions,
        };
    }

    public static JsonObject Published(PublishResult result) => new()
    {
        ["topic"] = result.Topic,
        ["partition"] = result.Partition,
        ["offset"] = result.Offset,
    };

    public static JsonObject Topics(IReadOnlyList<string> topics) => new() { ["topics"] = new JsonArray([.. topics.Select(t => (JsonNode)t)]) };

    public static JsonObject Topic(TopicDescription topic) => new()
    {
        ["topic"] = topic.Topic,
        ["partitions"] = new JsonArray(
        [
            .. topic.Partitions.Select(p => (JsonNode)new JsonObject
            {
                ["partition"] = p.Partition,
                ["earliestOffset"] = p.EarliestOffset,
                ["endOffset"] = p.EndOffset,
            }),
        ]),
    };

    public static JsonObject Groups(IReadOnlyList<GroupSummary> groups) => new()
    {
        ["groups"] = new JsonArray(
        [
            .. groups.Select(g => (JsonNode)new JsonObject
            {
                ["topic"] = g.Topic,
                ["group"] = g.Name,
                ["versions"] = new JsonArray(
                [
                    .. g.Versions.Select(v => (JsonNode)new JsonObject
                    {
                        ["groupVersion"] = v.Version,
                        ["latest"] = v.IsLatest,
                        ["lag"] = v.Lag,
                        ["liveMembers"] = v.LiveMembers,
                    }),
                ]),
            }),
        ]),
    };

    public static JsonObject Group(GroupDescription group) => new()
    {
        ["topic"] = group.Group.Topic,
        ["group"] = group.Group.Name,
        ["groupVersion"] = group.Group.Version,
        ["liveMembers"] = group.LiveMembers,
        ["partitions"] = new JsonArray(
        [
            .. group.Partitions.Select(p => (JsonNode)new JsonObject
            {
                ["partition"] = p.Partition,
                ["position"] = p.Position,
                ["endOffset"] = p.EndOffset,
                ["lag"] = p.Lag,
                ["ownerSessionId"] = p.OwnerSessionId,
                ["ownerNode"] = p.OwnerNode,
                ["ownerClientAddress"] = p.OwnerClientAddress,
                ["lastAckTime"] = p.LastAckTime is { } time ? RecordFormat.Time(time) : null,
            }),
        ]),
    };

    public static JsonObject Reset(PositionsReset reset) => new()
    {
        ["topic"] = reset.Group.Topic,
        ["group"] = reset.Group.Name,
        ["groupVersion"] = reset.Group.Version,
        ["executed"] = reset.Executed,
        ["partitions"] = new JsonArray(
        [
            .. reset.Partitions.Select(p => (JsonNode)new JsonObject
            {
                ["partition"] = p.Partition,
                ["previousPosition"] = p.PreviousPosition,
                ["newPosition"] = p.NewPosition,
                ["clamped"] = p.Clamped,
            }),
        ]),
    };

    public static JsonObject Deleted(string topic, string group, IReadOnlyList<uint> versions) => new()
    {
        ["topic"] = topic,
        ["group"] = group,
        ["deletedVersions"] = new JsonArray([.. versions.Select(v => (JsonNode)v)]),
    };

    public static JsonObject Replayed(LiiklusRecord letter, PublishResult result) => new()
    {
        ["fromTopic"] = letter.Topic,
        ["fromPartition"] = letter.Partition,
        ["fromOffset"] = letter.Offset,
        ["topic"] = result.Topic,
        ["partition"] = result.Partition,
        ["offset"] = result.Offset,
    };

    private static JsonObject Record(string topic, int partition, ulong offset, DateTimeOffset timestamp) => new()
    {
        ["topic"] = topic,
        ["partition"] = partition,
        ["offset"] = offset,
        ["timestamp"] = RecordFormat.Time(timestamp),
    };
}
