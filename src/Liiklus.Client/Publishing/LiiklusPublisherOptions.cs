using System.Reflection;

namespace Liiklus.Client;

/// <summary>How a <see cref="LiiklusPublisher"/> publishes; every setting has a working default.</summary>
public sealed class LiiklusPublisherOptions
{
    /// <summary>
    /// Publish calls on their way at once; a publish past it waits for one to complete. More than one lets calls
    /// overtake each other: set 1 to keep the order of calls to one partition.
    /// </summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>Makes the event data of published values.</summary>
    public IEventSerializer Serializer { get; set; } = JsonEventSerializer.Default;

    /// <summary>The events' source (<c>ce_source</c>) unless a publish names one; by default the entry assembly's name.</summary>
    public Uri Source { get; set; } = new($"/{Assembly.GetEntryAssembly()?.GetName().Name ?? "liiklus-client"}", UriKind.Relative);

    /// <summary>The event type (<c>ce_type</c>) of a published value's type unless a publish names one; by default its full name.</summary>
    public Func<Type, string> EventType { get; set; } = type => type.FullName ?? type.Name;

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public void Validate()
    {
        if (MaxInFlight <= 0)
        {
            throw new ArgumentException($"{nameof(MaxInFlight)} must be positive, was {MaxInFlight}", nameof(MaxInFlight));
        }

        if (Serializer is null)
        {
            throw new ArgumentException($"{nameof(Serializer)} must be set", nameof(Serializer));
        }

        if (Source is null)
        {
            throw new ArgumentException($"{nameof(Source)} must be set", nameof(Source));
        }

        if (EventType is null)
        {
            throw new ArgumentException($"{nameof(EventType)} must be set", nameof(EventType));
        }
    }
}
