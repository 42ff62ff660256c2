using System.Globalization;

namespace Liiklus.Client;

/// <summary>
/// The dead-letter record of a record that could not be handled: the same key, value and event attributes, and
/// extensions naming where it came from and why it failed.
/// </summary>
public static class DeadLetters
{
    /// <summary>The original topic (a <c>ce_dlttopic</c> header).</summary>
    public const string Topic = "dlttopic";

    /// <summary>The original partition.</summary>
    public const string Partition = "dltpartition";

    /// <summary>The original offset.</summary>
    public const string Offset = "dltoffset";

    /// <summary>The consumer group that gave up on it.</summary>
    public const string Group = "dltgroup";

    /// <summary>The consumer group's version.</summary>
    public const string GroupVersion = "dltgroupversion";

    /// <summary>How many attempts were made.</summary>
    public const string Attempts = "dltattempts";

    /// <summary>Why: the handler's reason, or that the retries were used up.</summary>
    public const string Reason = "dltreason";

    /// <summary>The last exception's type, when an exception was the cause.</summary>
    public const string ExceptionType = "dltexceptiontype";

    /// <summary>The last exception's message, when an exception was the cause.</summary>
    public const string ExceptionMessage = "dltexceptionmessage";

    /// <summary>The event type of a dead letter of a record that had no CloudEvent.</summary>
    public const string PlainRecordType = "liiklus.deadletter";

    internal static CloudEvent Of(LiiklusRecord record, ConsumerGroup group, int attempts, string reason, Exception? exception)
    {
        var original = record.Event
            ?? new CloudEvent($"{record.Topic}-{record.Partition}-{record.Offset}", PlainRecordType, new Uri($"/liiklus/{record.Topic}", UriKind.Relative))
            {
                Data = record.Value,
            };
        var extensions = new Dictionary<string, string>(original.Extensions)
        {
            [Topic] = record.Topic,
            [Partition] = record.Partition.ToString(CultureInfo.InvariantCulture),
            [Offset] = record.Offset.ToString(CultureInfo.InvariantCulture),
            [Group] = group.Name,
            [GroupVersion] = group.Version.ToString(CultureInfo.InvariantCulture),
            [Attempts] = attempts.ToString(CultureInfo.InvariantCulture),
            [Reason] = reason,
        };
        if (exception is not null)
        {
            extensions[ExceptionType] = exception.GetType().FullName ?? exception.GetType().Name;
            extensions[ExceptionMessage] = exception.Message;
        }

        return original with { Extensions = extensions };
    }
}
