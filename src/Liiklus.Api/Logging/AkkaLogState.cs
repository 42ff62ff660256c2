namespace Liiklus.Api.Logging;

/// <summary>
/// One Akka log event's structured fields, as the host's loggers take them: formatters that print the state (the JSON
/// console's "State") get the message, not the name of a collection type.
/// </summary>
internal sealed class AkkaLogState(IReadOnlyList<KeyValuePair<string, object?>> fields, string text) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => fields.Count;

    public KeyValuePair<string, object?> this[int index] => fields[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => fields.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => text;
}
