using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Many groups at the tail of one 32-partition topic, on a gateway in a process of its own (so its memory and threads
/// are its alone), on the in-memory storage and on Kafka: how long until every stream delivers, the aggregate rate of
/// delivery ÷ one stream's rate, the gateway's memory per idle stream, and its threads at a hundred streams and at all
/// of them. The full run then opens groups up to <see cref="Workload.FanOutManyGroups"/> (50,016 streams), each
/// delivering one record, and measures the gateway's memory per idle stream again at that count.
/// </summary>
public static class FanOutBenchmark
{
    private const int Partitions = 32;
    private const int SmallGroups = 4;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        // For a quick run at a chosen stream count (groups × 32 partitions), and to hold the idle gateway for a heap dump
        // (LIIKLUS_BENCH_HOLD_IDLE names a file holding its process id; deleting the file lets the run go on).
        if (Environment.GetEnvironmentVariable("LIIKLUS_BENCH_FANOUT_GROUPS") is { } groups)
        {
            workload = workload with { FanOutGroups = int.Parse(groups, System.Globalization.CultureInfo.InvariantCulture) };
        }

        await RunOnAsync("memory", new Dictionary<string, string>(), kafka: null, workload, results);
        using var kafka = new MockKafkaCluster();
        await RunOnAsync(
            "kafka",
            new Dictionary<string, string> { ["storage_records_type"] = "KAFKA", ["kafka_bootstrapServers"] = kafka.BootstrapServers },
            kafka,
            workload,
            results);
    }

    private static async Task RunOnAsync(string storage, Dictionary<string, string> environment, MockKafkaCluster? kafka, Workload workload, BenchResults results)
    {
        var name = $"fan_out_{storage}";
        await using var gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
        var address = $"http://127.0.0.1:{gateway.GrpcPort}";
        using var publisher = new PartitionPublisher(address, kafka);

        var one = await OneStreamRateAsync(address, publisher, kafka, workload.FanOutOneStreamRecords);
        var topic = $"fan-out-{Guid.NewGuid():N}";
        kafka?.CreateTopic(topic, Partitions);
        var before = ProcessFigures.Of(gateway.ProcessId);

        await using var streams = new TailStreams(address, topic);
        await streams.OpenGroupsAsync(SmallGroups);
        await publisher.PublishToEveryPartitionAsync(topic, 1);
        await streams.AllReachedAsync(1, TimeSpan.FromMinutes(2));
        var small = ProcessFigures.Of(gateway.ProcessId);

        var clock = Stopwatch.StartNew();
        await streams.OpenGroupsAsync(workload.FanOutGroups - SmallGroups);
        await publisher.PublishToEveryPartitionAsync(topic, 1);
        await streams.AllReachedAsync(2, TimeSpan.FromMinutes(5));
        var allDelivering = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idle = ProcessFigures.Of(gateway.ProcessId);
        if (Environment.GetEnvironmentVariable("LIIKLUS_BENCH_HOLD_IDLE") is { } hold)
        {
            await File.WriteAllTextAsync(hold, $"{gateway.ProcessId} {name} {streams.Count}");
            while (File.Exists(hold))
            {
                await Task.Delay(500);
            }
        }

        var perStream = workload.FanOutRecordsPerStream;
        clock.Restart();
        await publisher.PublishToEveryPartitionAsync(topic, perStream);
        await streams.AllReachedAsync(2 + perStream, TimeSpan.FromMinutes(5));
        var aggregate = (double)streams.Count * perStream / clock.Elapsed.TotalSeconds;
        var busy = ProcessFigures.Of(gateway.ProcessId);

        results.Figure($"{name}.streams", streams.Count);
        results.Figure($"{name}.all_delivering_s", allDelivering.TotalSeconds);
        results.Figure($"{name}.one_stream_records_per_s", one);
        results.Figure($"{name}.aggregate_records_per_s", aggregate);
        results.Figure($"{name}.gateway_rss_mb_before", before.RssMb);
        results.Figure($"{name}.gateway_rss_mb_idle_streams", idle.RssMb);
        results.Figure($"{name}.gateway_rss_mb_flowing", busy.RssMb);
        results.Figure($"{name}.gateway_rss_kb_per_idle_stream", (idle.RssMb - before.RssMb) * 1024 / streams.Count);
        results.Figure($"{name}.gateway_threads_{SmallGroups * Partitions}_streams", small.Threads);
        results.Figure($"{name}.gateway_threads_{streams.Count}_streams", idle.Threads);
        results.Figure($"{name}.gateway_threads_flowing", busy.Threads);
        results.Ratio(name, aggregate / one);

        if (workload.FanOutManyGroups > workload.FanOutGroups)
        {
            clock.Restart();
            await streams.OpenGroupsAsync(workload.FanOutManyGroups - workload.FanOutGroups);
            await publisher.PublishToEveryPartitionAsync(topic, 1);
            await streams.AllReachedAsync(3 + perStream, TimeSpan.FromMinutes(15));
            var manyDelivering = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            var many = ProcessFigures.Of(gateway.ProcessId);
            results.Figure($"{name}.many_streams", streams.Count);
            results.Figure($"{name}.many_all_delivering_s", manyDelivering.TotalSeconds);
            results.Figure($"{name}.gateway_rss_mb_many_idle_streams", many.RssMb);
            results.Figure($"{name}.gateway_rss_kb_per_idle_stream_at_many", (many.RssMb - before.RssMb) * 1024 / streams.Count);
            results.Figure($"{name}.gateway_threads_many_streams", many.Threads);
        }
    }

    /// <summary>
    /// One group's one stream reading a partition filled beforehand (within what librdkafka's mock cluster retains of a
    /// partition, a few MB).
    /// </summary>
    private static async Task<double> OneStreamRateAsync(string address, PartitionPublisher publisher, MockKafkaCluster? kafka, int records)
    {
        var topic = $"fan-out-one-{Guid.NewGuid():N}";
        kafka?.CreateTopic(topic, Partitions);
        await publisher.PublishAsync(topic, partition: 0, records);
        using var channel = GrpcChannel.ForAddress(address);
        var client = new LiiklusService.LiiklusServiceClient(channel);
        var (subscription, assignment) = await client.SubscribeAsync(topic, $"one-{Guid.NewGuid():N}", partition: 0);
        using (subscription)
        {
            var clock = Stopwatch.StartNew();
            using var receive = client.Receive(new ReceiveRequest { Assignment = assignment });
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await receive.ReadAsync(records, deadline.Token);
            return records / clock.Elapsed.TotalSeconds;
        }
    }

    /// <summary>Groups subscribed to every partition of a topic, each stream counting what it received.</summary>
    private sealed class TailStreams(string address, string topic) : IAsyncDisposable
    {
        private const int StreamsPerConnection = 500;
        private readonly OpenCalls _open = new();
        private readonly List<StrongBox> _received = [];

        public int Count => _received.Count;

        public async Task OpenGroupsAsync(int groups)
        {
            for (var g = 0; g < groups; g++)
            {
                if (_open.Channels.Count == 0 || _received.Count / StreamsPerConnection >= _open.Channels.Count)
                {
                    _open.Open(GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 16 * 1024 * 1024 }));
                }

                var client = new LiiklusService.LiiklusServiceClient(_open.Channels[^1]);
                var subscription = _open.Keep(client.Subscribe(new SubscribeRequest { Topic = topic, Group = $"fan-{Guid.NewGuid():N}" }, cancellationToken: _open.Stopping));
                for (var p = 0; p < Partitions; p++)
                {
                    if (!await subscription.ResponseStream.MoveNext(_open.Stopping))
                    {
                        throw new InvalidOperationException("a subscription ended before its assignments");
                    }

                    var receive = _open.Keep(client.Receive(new ReceiveRequest { Assignment = subscription.ResponseStream.Current.Assignment }, cancellationToken: _open.Stopping));
                    var received = new StrongBox();
                    _received.Add(received);
                    _open.Reading(CountAsync(receive, received));
                }
            }
        }

        public Task AllReachedAsync(long records, TimeSpan deadline) =>
            Eventually.Until(
                () => Task.FromResult(_received.Count(r => Interlocked.Read(ref r.Value) < records)),
                behind => behind == 0,
                $"every stream receiving {records} records",
                deadline);

        public ValueTask DisposeAsync() => _open.DisposeAsync();

        private async Task CountAsync(AsyncServerStreamingCall<ReceiveReply> receive, StrongBox received)
        {
            try
            {
                while (await receive.ResponseStream.MoveNext(_open.Stopping))
                {
                    Interlocked.Increment(ref received.Value);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Stopped by the benchmark.
            }
        }
    }

    /// <summary>Writes records of <see cref="Workload.RecordSize"/> to given partitions: through Kafka itself, or the gateway.</summary>
    private sealed class PartitionPublisher : IDisposable
    {
        private readonly GrpcChannel _channel;
        private readonly LiiklusService.LiiklusServiceClient _client;
        private readonly IProducer<byte[]?, byte[]>? _producer;
        private readonly byte[][] _keys = [.. Enumerable.Range(0, Partitions).Select(p => Encoding.UTF8.GetBytes(Keys.ForPartition(p, Partitions)))];

        public PartitionPublisher(string address, MockKafkaCluster? kafka)
        {
            _channel = GrpcChannel.ForAddress(address);
            _client = new LiiklusService.LiiklusServiceClient(_channel);
            _producer = kafka is null ? null : PlainKafkaClients.Producer(kafka);
        }

        public Task PublishToEveryPartitionAsync(string topic, int perPartition) =>
            Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => PublishAsync(topic, p, perPartition)));

        public async Task PublishAsync(string topic, int partition, int count)
        {
            var value = new byte[Workload.RecordSize];
            if (_producer is not null)
            {
                for (var i = 0; i < count; i++)
                {
                    _producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]> { Key = _keys[partition], Value = value });
                }

                await Task.Run(() => _producer.Flush(TimeSpan.FromMinutes(1)));
                return;
            }

            var request = new PublishRequest { Topic = topic, Key = ByteString.CopyFrom(_keys[partition]) };
#pragma warning disable CS0612
            request.Value = ByteString.CopyFrom(value);
#pragma warning restore CS0612
            var left = count;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(count, 16)).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref left) >= 0)
                {
                    await _client.PublishAsync(request);
                }
            })));
        }

        public void Dispose()
        {
            _producer?.Dispose();
            _channel.Dispose();
        }
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
