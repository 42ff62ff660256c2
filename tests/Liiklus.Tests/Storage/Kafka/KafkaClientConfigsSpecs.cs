using System.Globalization;
using Liiklus.Storage.Records.Kafka;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

public sealed class KafkaClientConfigsSpecs
{
    private static readonly KafkaRecordsOptions Options = new("localhost:9092");

    [Fact]
    public void Consumers_fetch_again_soon_after_their_prefetch_was_full()
    {
        // librdkafka's default (1 s) left a stream that drains the prefetch faster than that idle for most of each
        // second: one pooled consumer carried ~190k records/s through the gateway with it, over 400k without it.
        var backoff = int.Parse(KafkaClientConfigs.Consumer(Options).Get("fetch.queue.backoff.ms"), CultureInfo.InvariantCulture);

        Assert.InRange(backoff, 0, 100);
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(3)]
    public void Consumers_prefetch_a_partition_no_deeper_than_a_readers_buffer_takes_after_a_resume(int readerBufferRecords)
    {
        // A pause discards what librdkafka prefetched for the partition; at its own depth (100,000 records) a fast
        // stream fetched much of its partition twice.
        var consumer = KafkaClientConfigs.Consumer(Options with { ReaderBufferRecords = readerBufferRecords });

        var depth = int.Parse(consumer.Get("queued.min.messages"), CultureInfo.InvariantCulture);

        Assert.InRange(depth, 1, readerBufferRecords / 2);
    }

    [Fact]
    public void Operators_properties_win_over_the_gateways_consumer_defaults_but_not_over_what_it_relies_on()
    {
        var options = Options with
        {
            Properties = new Dictionary<string, string> { ["fetch.queue.backoff.ms"] = "500", ["enable.auto.commit"] = "true" },
        };

        var consumer = KafkaClientConfigs.Consumer(options);

        Assert.Equal("500", consumer.Get("fetch.queue.backoff.ms"));
        Assert.False(consumer.EnableAutoCommit);
    }
}
