using System.Diagnostics.Metrics;

namespace Liiklus.Storage.Telemetry;

/// <summary>
/// Counts the Kafka clients' threads by name, as Linux lists them under /proc/self/task: librdkafka names its own
/// "rdk:…", the storage names its poll and metadata threads "liiklus-kafka-…" (cut to 15 characters by the kernel).
/// Elsewhere there is no such list, and nothing is reported.
/// </summary>
internal static class KafkaThreads
{
    private const string Tasks = "/proc/self/task";

    public static IEnumerable<Measurement<int>> Count()
    {
        if (!Directory.Exists(Tasks))
        {
            return [];
        }

        int librdkafka = 0, gateway = 0;
        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm"));
            }
            catch (IOException)
            {
                // The thread ended while the list was read.
                continue;
            }

            if (name.StartsWith("rdk:", StringComparison.Ordinal))
            {
                librdkafka++;
            }
            else if (name.StartsWith("liiklus-kafka", StringComparison.Ordinal))
            {
                gateway++;
            }
        }

        return
        [
            new Measurement<int>(librdkafka, new KeyValuePair<string, object?>("kind", "librdkafka")),
            new Measurement<int>(gateway, new KeyValuePair<string, object?>("kind", "gateway")),
        ];
    }
}
