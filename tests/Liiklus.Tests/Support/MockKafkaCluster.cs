using System.Runtime.InteropServices;
using System.Text;
using Liiklus.Storage.Records.Kafka;

namespace Liiklus.Tests.Support;

/// <summary>
/// librdkafka's mock cluster, started in this process: brokers that speak the real Kafka protocol over TCP on
/// loopback. A test double of the protocol, not of Kafka's storage (it keeps only the newest part of each
/// partition). Usable as an xunit class fixture.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private const int UnknownTopicOrPartition = 3;
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    /// <summary>A cluster of one broker (id 1), so taking it down takes Kafka down.</summary>
    public MockKafkaCluster()
    {
        LibrdkafkaMock.EnsureBound();
        var error = new StringBuilder(512);
        var conf = LibrdkafkaMock.rd_kafka_conf_new();
        // The handle only owns the cluster: its "no bootstrap.servers" notice is noise.
        LibrdkafkaMock.rd_kafka_conf_set(conf, "log_level", "3", error, (UIntPtr)error.Capacity);
        _handle = LibrdkafkaMock.rd_kafka_new(0, conf, error, (UIntPtr)error.Capacity);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {error}");
        }

        _cluster = LibrdkafkaMock.rd_kafka_mock_cluster_new(_handle, 1);
        if (_cluster == IntPtr.Zero)
        {
            LibrdkafkaMock.rd_kafka_destroy(_handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }

        BootstrapServers = Marshal.PtrToStringAnsi(LibrdkafkaMock.rd_kafka_mock_cluster_bootstraps(_cluster))!;
        // The mock names no controller (id 0 is no broker) unless told: admin calls served by the controller, such
        // as DescribeTopics, would wait for one until they time out.
        Check(LibrdkafkaMock.rd_kafka_mock_set_controller_id(_cluster, 1), "rd_kafka_mock_set_controller_id");
    }

    /// <summary>Fast tailing, and quick reconnection after an outage.</summary>
    private static readonly IReadOnlyDictionary<string, string> Tuning = new Dictionary<string, string>
    {
        ["fetch.wait.max.ms"] = "10",
        ["reconnect.backoff.ms"] = "20",
        ["reconnect.backoff.max.ms"] = "200",
        ["linger.ms"] = "1",
    };

    public string BootstrapServers { get; }

    /// <summary>
    /// Options for the gateway's storage on this cluster: fast tailing, and quick reconnection after an outage.
    /// </summary>
    public KafkaRecordsOptions StorageOptions(IReadOnlyDictionary<string, string>? properties = null)
    {
        var merged = new Dictionary<string, string>(Tuning);
        foreach (var (name, value) in properties ?? new Dictionary<string, string>())
        {
            merged[name] = value;
        }

        return new KafkaRecordsOptions(BootstrapServers)
        {
            Properties = merged,
            DeliveryTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(5),
            PollTimeout = TimeSpan.FromMilliseconds(10),
        };
    }

    /// <summary>The same settings as HOCON, for a gateway started on this cluster.</summary>
    public string GatewayHocon => $$"""
        liiklus.storage.records.type = KAFKA
        liiklus.storage.kafka {
          bootstrap-servers = "{{BootstrapServers}}"
          poll-timeout = 10ms
          delivery-timeout = 5s
          request-timeout = 5s
          properties {
        {{string.Join("\n", Tuning.Select(property => $"    \"{property.Key}\" = {property.Value}"))}}
          }
        }
        """;

    /// <summary>A topic with exactly <paramref name="partitions"/> partitions (the mock's own auto-creation makes 4).</summary>
    public void CreateTopic(string topic, int partitions) =>
        Check(LibrdkafkaMock.rd_kafka_mock_topic_create(_cluster, topic, partitions, 1), $"rd_kafka_mock_topic_create({topic}, {partitions})");

    /// <summary>A new topic of its own for one spec.</summary>
    public string NewTopic(int partitions)
    {
        var topic = $"topic-{partitions}-{Guid.NewGuid():N}";
        CreateTopic(topic, partitions);
        return topic;
    }

    /// <summary>
    /// Metadata requests for <paramref name="topic"/> answer UNKNOWN_TOPIC_OR_PARTITION, as from brokers that do not
    /// create topics on first use.
    /// </summary>
    public void AnswerUnknownTopic(string topic) =>
        LibrdkafkaMock.rd_kafka_mock_topic_set_error(_cluster, topic, UnknownTopicOrPartition);

    /// <summary>
    /// Deletes a partition's records below <paramref name="beforeOffset"/>, as retention does (the mock does not serve
    /// the DeleteRecords admin request).
    /// </summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset) =>
        Check(
            LibrdkafkaMock.rd_kafka_mock_partition_delete_records(_cluster, topic, partition, beforeOffset),
            $"rd_kafka_mock_partition_delete_records({topic}, {partition}, {beforeOffset})");

    /// <summary>Closes the broker's connections and refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId = 1) =>
        Check(LibrdkafkaMock.rd_kafka_mock_broker_set_down(_cluster, brokerId), "rd_kafka_mock_broker_set_down");

    public void SetBrokerUp(int brokerId = 1) =>
        Check(LibrdkafkaMock.rd_kafka_mock_broker_set_up(_cluster, brokerId), "rd_kafka_mock_broker_set_up");

    /// <summary>
    /// Counts the requests the brokers receive while <paramref name="action"/> runs, by Kafka API key (e.g. 8 =
    /// OffsetCommit, 9 = OffsetFetch, 10 = FindCoordinator), from the mock cluster's own request log.
    /// </summary>
    public async Task<Dictionary<short, int>> CountRequestsAsync(Func<Task> action)
    {
        LibrdkafkaMock.rd_kafka_mock_start_request_tracking(_cluster);
        try
        {
            await action();
            var requests = LibrdkafkaMock.rd_kafka_mock_get_requests(_cluster, out var count);
            try
            {
                var counts = new Dictionary<short, int>();
                for (var i = 0; i < (int)count; i++)
                {
                    var apiKey = LibrdkafkaMock.rd_kafka_mock_request_api_key(Marshal.ReadIntPtr(requests, i * IntPtr.Size));
                    counts[apiKey] = counts.GetValueOrDefault(apiKey) + 1;
                }

                return counts;
            }
            finally
            {
                LibrdkafkaMock.rd_kafka_mock_request_destroy_array(requests, count);
            }
        }
        finally
        {
            // Stopping also forgets what was tracked: the log is read before.
            LibrdkafkaMock.rd_kafka_mock_stop_request_tracking(_cluster);
        }
    }

    public void Dispose()
    {
        LibrdkafkaMock.rd_kafka_mock_cluster_destroy(_cluster);
        LibrdkafkaMock.rd_kafka_destroy(_handle);
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"{call} failed with error {error}");
        }
    }
}
