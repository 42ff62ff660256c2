using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Liiklus.Storage;
using Liiklus.Storage.Kafka;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

/// <summary>
/// The storage while its only broker is down (librdkafka's mock: the broker closes its connections and refuses new
/// ones) and after it is back. Each test has a cluster of its own.
/// </summary>
public sealed class KafkaBrokerOutageSpecs : TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly MockKafkaCluster _cluster = new();
    private readonly IMaterializer _materializer;
    private readonly KafkaRecordsStorage _storage;

    public KafkaBrokerOutageSpecs()
    {
        _materializer = Sys.Materializer();
        _storage = new KafkaRecordsStorage(
            _cluster.StorageOptions() with
            {
                DeliveryTimeout = TimeSpan.FromSeconds(1),
                RequestTimeout = TimeSpan.FromSeconds(1),
                // Every call asks the brokers: a cached partition count would answer through the outage.
                MetadataMaxAge = TimeSpan.Zero,
                ReaderBufferRecords = 20,
            },
            _materializer);
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_the_broker_is_down_and_work_again_once_it_is_back()
    {
        var topic = _cluster.NewTopic(4);
        await _storage.PublishAsync(topic, Record("before"), CancellationToken.None);

        _cluster.SetBrokerDown();

        await Assert.ThrowsAsync<StorageUnavailableException>(() => _storage.PublishAsync(topic, Record("during"), CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _storage.GetEndOffsetsAsync(topic, CancellationToken.None));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _storage.GetPartitionCountAsync(topic, CancellationToken.None));

        _cluster.SetBrokerUp();

        await PublishOnceKafkaAnswersAsync(topic);
        Assert.Equal(4, (await _storage.GetEndOffsetsAsync(topic, CancellationToken.None)).Count);
        Assert.Equal(4, await _storage.GetPartitionCountAsync(topic, CancellationToken.None));
    }

    [Fact]
    public async Task Publish_stops_waiting_at_the_callers_deadline_even_when_the_delivery_timeout_is_longer()
    {
        using var patient = new KafkaRecordsStorage(_cluster.StorageOptions() with { DeliveryTimeout = TimeSpan.FromMinutes(5) }, _materializer);
        var topic = _cluster.NewTopic(4);
        await patient.PublishAsync(topic, Record("before"), CancellationToken.None);
        _cluster.SetBrokerDown();
        using var callDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        // Waiting for the 5 minute delivery timeout would miss this test's own deadline.
        await Assert.ThrowsAsync<StorageUnavailableException>(() => patient.PublishAsync(topic, Record("during"), callDeadline.Token))
            .WaitAsync(Deadline);

        _cluster.SetBrokerUp();
    }

    [Fact]
    public async Task A_partition_stream_continues_after_the_broker_is_back_without_losing_duplicating_or_reordering()
    {
        var topic = _cluster.NewTopic(1);
        for (var i = 0; i < 200; i++)
        {
            await _storage.PublishAsync(topic, Record($"a{i}"), CancellationToken.None);
        }

        var reader = _storage.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(_materializer);
        var read = await reader.PullAsync(100, Deadline);

        _cluster.SetBrokerDown();
        // The reader's buffer holds 20 records: most of the rest must be fetched once the broker is back.
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _storage.PublishAsync(_cluster.NewTopic(1), Record("probe"), CancellationToken.None));
        _cluster.SetBrokerUp();
        await PublishOnceKafkaAnswersAsync(_cluster.NewTopic(1));
        for (var i = 0; i < 200; i++)
        {
            await _storage.PublishAsync(topic, Record($"b{i}"), CancellationToken.None);
        }

        read.AddRange(await reader.PullAsync(300, Deadline));
        reader.KillSwitch.Shutdown();

        Assert.Equal(
            Enumerable.Range(0, 200).Select(i => $"a{i}").Concat(Enumerable.Range(0, 200).Select(i => $"b{i}")),
            read.Select(r => Encoding.UTF8.GetString(r.Value)));
        Assert.Equal(Enumerable.Range(0, 400).Select(o => (long)o), read.Select(r => r.Offset));
    }

    [Fact]
    public async Task A_broker_outage_under_many_streams_writes_each_client_error_once()
    {
        var lines = new CapturingLoggerProvider();
        var log = new LibrdkafkaLog(lines.CreateLogger("Kafka"), TimeSpan.FromHours(1), TimeProvider.System);
        using var storage = new KafkaRecordsStorage(_cluster.StorageOptions() with { ReaderBufferRecords = 20 }, _materializer, log: log.Write);
        var topic = _cluster.NewTopic(8);
        await storage.PublishAsync(topic, Record("before"), CancellationToken.None);
        var readers = Enumerable.Range(0, 32)
            .Select(i => storage.PartitionSource(topic, i % 8, StartPosition.Earliest).Records().PullOnDemand(_materializer))
            .ToList();

        _cluster.SetBrokerDown();
        // librdkafka reconnects every 200 ms at most here: every client fails again and again while the broker is down.
        await Eventually.Until(() => Task.FromResult(log.Seen), seen => seen >= 200, "librdkafka's repeated failures", TimeSpan.FromSeconds(60));
        _cluster.SetBrokerUp();
        foreach (var reader in readers)
        {
            reader.KillSwitch.Shutdown();
        }

        // Closed only once Kafka answers again, as the other specs do: not while librdkafka still reconnects.
        await Eventually.Until(
            async () =>
            {
                try
                {
                    await storage.PublishAsync(topic, Record("after"), CancellationToken.None);
                    return true;
                }
                catch (StorageUnavailableException)
                {
                    return false;
                }
            },
            published => published,
            "a publish once the broker is back");

        var written = lines.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        Assert.Contains(written, l => l.Line.Contains("Connection refused", StringComparison.Ordinal));
        Assert.True(written.Count <= 10, $"{log.Seen} failures wrote {written.Count} lines:\n{string.Join('\n', written.Select(l => l.Line))}");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _storage.Dispose();
        _cluster.Dispose();
    }

    /// <summary>Publishes to a topic nobody reads until a publish succeeds: Kafka is back for the producer.</summary>
    private async Task PublishOnceKafkaAnswersAsync(string topic) =>
        await Eventually.Until(
            async () =>
            {
                try
                {
                    await _storage.PublishAsync(topic, Record("probe"), CancellationToken.None);
                    return true;
                }
                catch (StorageUnavailableException)
                {
                    return false;
                }
            },
            published => published,
            "a publish after the broker is back");

    private static OutgoingRecord Record(string value) => new(null, Encoding.UTF8.GetBytes(value), [], DateTimeOffset.UtcNow);
}
