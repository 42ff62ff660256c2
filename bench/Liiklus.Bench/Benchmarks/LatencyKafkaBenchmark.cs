using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Google.Protobuf;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Publish→receive latency through the gateway on Kafka (librdkafka's mock cluster) ÷ the same trip made by an
/// application's own producer and consumer against the same cluster (p50 and p99). Both sides' clients have the same
/// settings for what decides latency: acks=all with idempotence on the producer, and one fetch wait on the consumers,
/// so the ratio is what the gateway adds (gRPC both ways, its shared partition tail and the stream's hand-over), not a
/// difference of configuration. Samples of the two sides alternate.
/// </summary>
public static class LatencyKafkaBenchmark
{
    // The mock cluster answers a fetch with nothing new only when its wait runs out, not when a record lands (a broker
    // answers at once): at the gateway's default wait that wait is the whole trip on both sides. Short on both, so what
    // the gateway adds shows.
    private const int TailFetchWaitMs = 5;
    private const int WarmUpSamples = 100;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        using var kafka = new MockKafkaCluster();
        await using var gateway = await hosts.StartKafkaGatewayAsync(kafka, $"\"fetch.wait.max.ms\" = {TailFetchWaitMs}");
        var gatewayTopic = kafka.NewTopic(partitions: 1);
        var rawTopic = kafka.NewTopic(partitions: 1);
        using var raw = new RawTrip(kafka, rawTopic);
        var (gatewaySamples, rawSamples) = await SampleAsync(gateway.Client, gatewayTopic, raw, Math.Min(workload.LatencySamples, 2_000));

        var (gatewayP50, gatewayP99) = (LatencyBenchmark.Percentile(gatewaySamples, 0.50), LatencyBenchmark.Percentile(gatewaySamples, 0.99));
        var (rawP50, rawP99) = (LatencyBenchmark.Percentile(rawSamples, 0.50), LatencyBenchmark.Percentile(rawSamples, 0.99));
        results.Figure("latency_kafka.gateway_p50_ms", gatewayP50);
        results.Figure("latency_kafka.gateway_p99_ms", gatewayP99);
        results.Figure("latency_kafka.raw_p50_ms", rawP50);
        results.Figure("latency_kafka.raw_p99_ms", rawP99);
        results.Ratio("latency_kafka_p50", gatewayP50 / rawP50);
        results.Ratio("latency_kafka_p99", gatewayP99 / rawP99);
    }

    private static async Task<(List<double> Gateway, List<double> Raw)> SampleAsync(
        LiiklusService.LiiklusServiceClient client, string topic, RawTrip raw, int samples)
    {
        using var subscription = client.Subscribe(new SubscribeRequest
        {
            Topic = topic,
            Group = $"latency-{Guid.NewGuid():N}",
            AutoOffsetReset = SubscribeRequest.Types.AutoOffsetReset.Earliest,
        });
        if (!await subscription.ResponseStream.MoveNext(CancellationToken.None))
        {
            throw new InvalidOperationException($"subscription to {topic} ended before its partition was assigned");
        }

        using var receive = client.Receive(new ReceiveRequest { Assignment = subscription.ResponseStream.Current.Assignment });
        var arrivals = new Arrivals();
        var reader = Task.Run(async () =>
        {
            while (await receive.ResponseStream.MoveNext(CancellationToken.None))
            {
                arrivals.Arrived((long)receive.ResponseStream.Current.Record.Offset, Stopwatch.GetTimestamp());
            }
        });

        var gateway = new List<double>(samples);
        var rawSamples = new List<double>(samples);
        var value = ByteString.CopyFrom(new byte[Workload.RecordSize]);
        for (var i = 0; i < samples + WarmUpSamples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var published = await client.PublishAsync(new PublishRequest
            {
                Topic = topic,
                LiiklusEvent = new LiiklusEvent { Id = "id", Type = "bench", Source = "/bench", Data = value },
            });
            var arrived = await arrivals.WhenArrived((long)published.Offset).WaitAsync(TimeSpan.FromSeconds(30));
            var rawTrip = await raw.MeasureAsync();
            if (i >= WarmUpSamples)
            {
                gateway.Add(Stopwatch.GetElapsedTime(started, arrived).TotalMilliseconds);
                rawSamples.Add(rawTrip.TotalMilliseconds);
            }
        }

        if (reader.IsFaulted)
        {
            await reader;
        }

        return (gateway, rawSamples);
    }

    /// <summary>When each offset arrived, whichever comes first: the arrival or the wait for it.</summary>
    private sealed class Arrivals
    {
        private readonly ConcurrentDictionary<long, TaskCompletionSource<long>> _byOffset = new();

        public void Arrived(long offset, long timestamp) => Slot(offset).TrySetResult(timestamp);

        public async Task<long> WhenArrived(long offset)
        {
            var arrived = await Slot(offset).Task;
            _byOffset.TryRemove(offset, out _);
            return arrived;
        }

        private TaskCompletionSource<long> Slot(long offset) =>
            _byOffset.GetOrAdd(offset, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>An application's own producer and a consumer polling the partition on a thread of its own.</summary>
    private sealed class RawTrip : IDisposable
    {
        private readonly string _topic;
        private readonly IProducer<Null, byte[]> _producer;
        private readonly IConsumer<Ignore, byte[]> _consumer;
        private readonly Arrivals _arrivals = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _poller;
        private readonly byte[] _value = new byte[Workload.RecordSize];

        public RawTrip(MockKafkaCluster kafka, string topic)
        {
            _topic = topic;
            _producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
            {
                BootstrapServers = kafka.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = true,
            }).SetLogHandler((_, _) => { }).Build();
            _consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
            {
                BootstrapServers = kafka.BootstrapServers,
                GroupId = "bench-latency-raw",
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false,
                FetchWaitMaxMs = TailFetchWaitMs,
            }).SetLogHandler((_, _) => { }).Build();
            _consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            _poller = new Thread(Poll) { IsBackground = true, Name = "latency-kafka-raw-consumer" };
            _poller.Start();
        }

        public async Task<TimeSpan> MeasureAsync()
        {
            var started = Stopwatch.GetTimestamp();
            var delivered = await _producer.ProduceAsync(_topic, new Message<Null, byte[]> { Value = _value });
            var arrived = await _arrivals.WhenArrived(delivered.Offset.Value).WaitAsync(TimeSpan.FromSeconds(30));
            return Stopwatch.GetElapsedTime(started, arrived);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _poller.Join();
            _consumer.Close();
            _consumer.Dispose();
            _producer.Dispose();
            _stop.Dispose();
        }

        private void Poll()
        {
            while (!_stop.IsCancellationRequested)
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } consumed)
                {
                    _arrivals.Arrived(consumed.Offset.Value, Stopwatch.GetTimestamp());
                }
            }
        }
    }
}
