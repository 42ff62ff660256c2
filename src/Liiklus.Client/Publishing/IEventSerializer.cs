namespace Liiklus.Client;

/// <summary>
/// Turns a value into an event's data for <see cref="LiiklusPublisher"/>; <see cref="JsonEventSerializer"/> by
/// default. An exception it throws fails that publish before anything is sent.
/// </summary>
public interface IEventSerializer
{
    /// <summary>The media type of what <see cref="Serialize{T}"/> makes (<c>ce_datacontenttype</c>).</summary>
    string ContentType { get; }

    /// <summary>The bytes of <paramref name="value"/>.</summary>
    ReadOnlyMemory<byte> Serialize<T>(T value);
}
