using System.Text.Json;

namespace Liiklus.Storage.Records.Kafka;

/// <summary>Figures read from librdkafka's statistics document (its <c>STATISTICS.md</c>).</summary>
internal static class KafkaStatistics
{
    /// <summary>
    /// <c>rxmsg_bytes</c>: message bytes, framing included, received from the brokers since the client started.
    /// </summary>
    public static long MessageBytesReceived(string statistics)
    {
        using var document = JsonDocument.Parse(statistics);
        return document.RootElement.TryGetProperty("rxmsg_bytes", out var bytes) ? bytes.GetInt64() : 0;
    }
}
