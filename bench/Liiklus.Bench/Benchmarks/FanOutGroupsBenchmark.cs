using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// A hundred groups at the tail of one 8-partition topic while records are published through the gateway: on Kafka,
/// the bytes the gateway fetched from the brokers (librdkafka's own statistics) ÷ the bytes published, and the rate of
/// delivery ÷ the same workload's on the in-memory storage.
/// </summary>
public static class FanOutGroupsBenchmark
{
    private const int Partitions = 8;
    private const int Publishers = 16;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var memory = await RunOnAsync("liiklus.storage.memory.partitions-per-topic = 8", kafka: null, workload);
        using var kafka = new MockKafkaCluster();
        var kafkaHocon = kafka.GatewayHocon + """

            liiklus.storage.kafka.properties { "statistics.interval.ms" = 200 }
            """;
        var onKafka = await RunOnAsync(kafkaHocon, kafka, workload);

        results.Figure("fan_out_groups.groups", workload.FanOutGroupsOfOneTopic);
        results.Figure("fan_out_groups.records_published", workload.FanOutGroupsRecords);
        results.Figure("fan_out_groups.memory_delivered_records_per_s", memory.Rate);
        results.Figure("fan_out_groups.kafka_delivered_records_per_s", onKafka.Rate);
        results.Figure("fan_out_groups.kafka_published_bytes", onKafka.PublishedBytes);
        results.Figure("fan_out_groups.kafka_fetched_message_bytes", onKafka.FetchedBytes);
        results.Figure("fan_out_groups.kafka_fetched_records", onKafka.FetchedRecords);
        results.Ratio("fan_out_groups_fetched_bytes", onKafka.FetchedBytes / onKafka.PublishedBytes);
        results.Ratio("fan_out_groups", onKafka.Rate / memory.Rate);
    }

    private static async Task<(double Rate, double PublishedBytes, double FetchedBytes, double FetchedRecords)> RunOnAsync(
        string hocon, MockKafkaCluster? kafka, Workload workload)
    {
        await using var gateway = await TestGateway.StartAsync(hocon);
        var topic = $"fan-out-groups-{Guid.NewGuid():N}";
        kafka?.CreateTopic(topic, Partitions);
        var storage = kafka is null ? null : gateway.Services.GetRequiredService<KafkaRecordsStorage>();
        var keys = Enumerable.Range(0, Partitions).Select(p => ByteString.CopyFromUtf8(Keys.ForPartition(p, Partitions))).ToArray();
        var value = ByteString.CopyFrom(new byte[Workload.RecordSize]);

        using var stop = new CancellationTokenSource();
        var subscriptions = new List<IDisposable>();
        var counts = new List<long[]>();
        var reading = new List<Task>();
        for (var g = 0; g < workload.FanOutGroupsOfOneTopic; g++)
        {
            var subscription = gateway.Client.Subscribe(new SubscribeRequest { Topic = topic, Group = $"g-{Guid.NewGuid():N}" }, cancellationToken: stop.Token);
            subscriptions.Add(subscription);
            for (var p = 0; p < Partitions; p++)
            {
                await subscription.ResponseStream.MoveNext(stop.Token);
                var receive = gateway.Client.Receive(new ReceiveRequest { Assignment = subscription.ResponseStream.Current.Assignment }, cancellationToken: stop.Token);
                subscriptions.Add(receive);
                var count = new long[1];
                counts.Add(count);
                reading.Add(CountAsync(receive, count, stop.Token));
            }
        }

        // Every stream placed at the tail: one record per partition reaches all of them first.
        await PublishAsync(gateway.Client, topic, keys, value, Partitions);
        await Eventually.Until(() => Task.FromResult(counts.All(c => Interlocked.Read(ref c[0]) >= 1)), all => all, "every stream delivering", TimeSpan.FromMinutes(2));
        var fetchedBefore = storage?.Fetched.Records ?? 0;
        await Eventually.Until(() => Task.FromResult(storage?.BrokerMessageBytes ?? 1), bytes => bytes > 0, "librdkafka's first statistics", TimeSpan.FromSeconds(30));
        var brokerBytesBefore = storage?.BrokerMessageBytes ?? 0;

        var records = workload.FanOutGroupsRecords;
        var clock = Stopwatch.StartNew();
        await PublishAsync(gateway.Client, topic, keys, value, records);
        var perStream = 1 + (records / Partitions);
        await Eventually.Until(() => Task.FromResult(counts.All(c => Interlocked.Read(ref c[0]) >= perStream)), all => all, "every stream receiving every record", TimeSpan.FromMinutes(5));
        var rate = (double)counts.Count * (records / Partitions) / clock.Elapsed.TotalSeconds;

        // The statistics come every 200 ms: wait for one taken after the last fetch.
        var fetchedRecords = (storage?.Fetched.Records ?? 0) - fetchedBefore;
        var brokerBytes = storage is null ? 0 : await Eventually.Until(
            async () =>
            {
                var seen = storage.BrokerMessageBytes;
                await Task.Delay(TimeSpan.FromMilliseconds(500));
                return (Seen: seen, Now: storage.BrokerMessageBytes);
            },
            pair => pair.Seen == pair.Now,
            "librdkafka's statistics settled",
            TimeSpan.FromSeconds(30)).ContinueWith(t => t.Result.Now - brokerBytesBefore);

        await stop.CancelAsync();
        subscriptions.ForEach(s => s.Dispose());
        await Task.WhenAll(reading);
        var publishedBytes = (double)records * (keys[0].Length + Workload.RecordSize);
        return (rate, publishedBytes, brokerBytes, fetchedRecords);
    }

    private static Task PublishAsync(LiiklusService.LiiklusServiceClient client, string topic, ByteString[] keys, ByteString value, int records)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < records; i = Interlocked.Increment(ref next))
            {
                var request = new PublishRequest { Topic = topic, Key = keys[i % Partitions] };
#pragma warning disable CS0612
                request.Value = value;
#pragma warning restore CS0612
                await client.PublishAsync(request);
            }
        })));
    }

    private static async Task CountAsync(AsyncServerStreamingCall<ReceiveReply> receive, long[] count, CancellationToken stop)
    {
        try
        {
            while (await receive.ResponseStream.MoveNext(stop))
            {
                Interlocked.Increment(ref count[0]);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopped by the benchmark.
        }
    }
}
