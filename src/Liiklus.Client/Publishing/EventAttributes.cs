namespace Liiklus.Client;

/// <summary>
/// The CloudEvent attributes of one publish through <see cref="LiiklusPublisher"/>; what is left null comes from
/// <see cref="LiiklusPublisherOptions"/> or is made up (a new id, the current time).
/// </summary>
public sealed record EventAttributes
{
    /// <summary>The event's id (<c>ce_id</c>); null: a new GUID.</summary>
    public string? Id { get; init; }

    /// <summary>The event's type (<c>ce_type</c>); null: <see cref="LiiklusPublisherOptions.EventType"/> of the data's type.</summary>
    public string? Type { get; init; }

    /// <summary>The event's source (<c>ce_source</c>); null: <see cref="LiiklusPublisherOptions.Source"/>.</summary>
    public Uri? Source { get; init; }

    /// <summary>When the event happened (<c>ce_time</c>); null: now.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>Extension attributes (<c>ce_&lt;name&gt;</c>); a <c>traceparent</c> here wins over the current trace's.</summary>
    public IReadOnlyDictionary<string, string>? Extensions { get; init; }
}
