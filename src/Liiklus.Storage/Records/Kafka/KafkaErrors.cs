using Confluent.Kafka;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>
/// Turns Kafka's errors into the storage's: a record over the size limit is the caller's problem, anything else
/// means Kafka could not take the request now, so the caller may retry. No raw KafkaException leaves the storage.
/// </summary>
internal static class KafkaErrors
{
    /// <summary>librdkafka's default <c>message.max.bytes</c>, used when the operator did not set one.</summary>
    private const int DefaultMaxMessageBytes = 1_000_000;

    public static Exception OnPublish(Error error, string topic, OutgoingRecord record, KafkaRecordsOptions options) =>
        error.Code switch
        {
            ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge =>
                new RecordTooLargeException(record.SizeInBytes, MaxMessageBytes(options)),
            ErrorCode.Local_MsgTimedOut => StorageUnavailableException.Records(
                $"Kafka did not acknowledge the record for topic '{topic}' within {options.DeliveryTimeout}: {error.Reason}"),
            _ => Unavailable(error, $"publishing to topic '{topic}'"),
        };

    public static StorageUnavailableException Unavailable(Error error, string doing) =>
        StorageUnavailableException.Records($"Kafka failed {doing}: {error.Code} ({error.Reason})", new KafkaException(error));

    public static StorageUnavailableException DeadlineReached(string doing, Exception inner) =>
        StorageUnavailableException.Records($"Kafka did not answer {doing} before the call's deadline", inner);

    /// <summary>A client's error event, as a log line at the level its fatality calls for.</summary>
    public static LogMessage AsLogMessage(string client, Error error) =>
        new(client, error.IsFatal ? SyslogLevel.Error : SyslogLevel.Warning, "ERROR", error.ToString());

    private static int MaxMessageBytes(KafkaRecordsOptions options) =>
        options.Properties.TryGetValue("message.max.bytes", out var value) && int.TryParse(value, out var max)
            ? max
            : DefaultMaxMessageBytes;
}
