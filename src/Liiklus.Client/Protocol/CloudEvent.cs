namespace Liiklus.Client;

/// <summary>
/// A CloudEvent as Liiklus stores it: the attributes travel as <c>ce_*</c> headers and <see cref="Data"/> is the
/// record's value.
/// </summary>
public sealed record CloudEvent
{
    /// <summary>An event with its required attributes.</summary>
    /// <param name="id">unique per <paramref name="source"/> (<c>ce_id</c>)</param>
    /// <param name="type">what happened, e.g. <c>com.example.order.created</c> (<c>ce_type</c>)</param>
    /// <param name="source">the context the event happened in, a URI reference (<c>ce_source</c>)</param>
    public CloudEvent(string id, string type, Uri source)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(source);
        Id = id;
        Type = type;
        Source = source;
    }

    /// <summary>The event's id (<c>ce_id</c>).</summary>
    public string Id { get; init; }

    /// <summary>The event's type (<c>ce_type</c>).</summary>
    public string Type { get; init; }

    /// <summary>The event's source, absolute or relative (<c>ce_source</c>).</summary>
    public Uri Source { get; init; }

    /// <summary>When the event happened (<c>ce_time</c>), if known.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The media type of <see cref="Data"/> (<c>ce_datacontenttype</c>), e.g. <c>application/json</c>.</summary>
    public string? DataContentType { get; init; }

    /// <summary>The payload: the stored record's value.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>
    /// Extension attributes (<c>ce_&lt;name&gt;</c> headers): names are lower-case letters and digits, e.g.
    /// <c>traceparent</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Extensions { get; init; } = EmptyExtensions;

    /// <summary>The W3C trace context the event carries (the <c>traceparent</c> extension), if any.</summary>
    public string? TraceParent => Extensions.TryGetValue("traceparent", out var value) ? value : null;

    private static readonly IReadOnlyDictionary<string, string> EmptyExtensions = new Dictionary<string, string>();
}
