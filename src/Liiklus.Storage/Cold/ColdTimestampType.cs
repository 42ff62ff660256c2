namespace Liiklus.Storage.Cold;

/// <summary>What a record's timestamp means, with Kafka's numbers (those of <c>Confluent.Kafka.TimestampType</c>).</summary>
public enum ColdTimestampType : byte
{
    NotAvailable = 0,
    CreateTime = 1,
    LogAppendTime = 2,
}
