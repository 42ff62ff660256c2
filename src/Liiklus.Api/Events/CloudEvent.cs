using System.Text;
using Liiklus.Storage.Records;

namespace Liiklus.Api.Events;

/// <summary>
/// A CloudEvents 1.0 event as the gateway stores it: in binary mode, as the CloudEvents Kafka binding does
/// (the record value is the data, attributes travel as UTF-8 <c>ce_*</c> headers).
/// </summary>
public sealed record CloudEvent(
    string Id,
    string Type,
    string Source,
    string? Time,
    string? DataContentType,
    byte[] Data,
    IReadOnlyDictionary<string, string> Extensions)
{
    public const string SpecVersion = "1.0";
    private const string HeaderPrefix = "ce_";

    /// <summary>Attribute names that have their own header and so cannot be extensions.</summary>
    public static readonly IReadOnlySet<string> ReservedAttributeNames =
        new HashSet<string>(StringComparer.Ordinal) { "specversion", "id", "type", "source", "time", "datacontenttype", "data", "data_base64" };

    public IReadOnlyList<RecordHeader> ToHeaders()
    {
        var headers = new List<RecordHeader>(6 + Extensions.Count)
        {
            Header("specversion", SpecVersion),
            Header("id", Id),
            Header("type", Type),
            Header("source", Source),
        };
        if (!string.IsNullOrEmpty(DataContentType))
        {
            headers.Add(Header("datacontenttype", DataContentType));
        }

        if (!string.IsNullOrEmpty(Time))
        {
            headers.Add(Header("time", Time));
        }

        foreach (var (name, value) in Extensions)
        {
            headers.Add(Header(name, value));
        }

        return headers;
    }

    /// <summary>
    /// Rebuilds the event from a stored record's <c>ce_*</c> headers (names compared lower-cased, other headers
    /// ignored). A record without any is a legacy record and has no event: answers null.
    /// </summary>
    public static CloudEvent? FromRecord(StoredRecord record)
    {
        // Asked for every record a stream delivers, most of which carry no header at all.
        if (record.Headers.Count == 0)
        {
            return null;
        }

        Dictionary<string, string>? attributes = null;
        string? contentTypeHeader = null;
        foreach (var header in record.Headers)
        {
            var name = header.Name.ToLowerInvariant();
            if (name.StartsWith(HeaderPrefix, StringComparison.Ordinal))
            {
                attributes ??= new Dictionary<string, string>(StringComparer.Ordinal);
                attributes[name[HeaderPrefix.Length..]] = Encoding.UTF8.GetString(header.Value);
            }
            else if (name == "content-type")
            {
                // The CloudEvents Kafka binding carries datacontenttype here rather than in a ce_ header.
                contentTypeHeader = Encoding.UTF8.GetString(header.Value);
            }
        }

        if (attributes is null)
        {
            return null;
        }

        var extensions = attributes
            .Where(a => !ReservedAttributeNames.Contains(a.Key))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new CloudEvent(
            attributes.GetValueOrDefault("id", ""),
            attributes.GetValueOrDefault("type", ""),
            attributes.GetValueOrDefault("source", ""),
            attributes.GetValueOrDefault("time"),
            attributes.GetValueOrDefault("datacontenttype") ?? contentTypeHeader,
            record.Value,
            extensions);
    }

    private static RecordHeader Header(string attribute, string value) =>
        new(HeaderPrefix + attribute, Encoding.UTF8.GetBytes(value));
}
