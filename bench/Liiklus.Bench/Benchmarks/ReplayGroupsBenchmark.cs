using System.Diagnostics;
using System.Net.Http;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Many new groups replaying a topic's history at once: groups subscribe from EARLIEST to a 32-partition topic that
/// already holds records, over many HTTP/2 connections, on a gateway in a process of its own, on the in-memory storage
/// and on Kafka. Measures the time until every record of every group is delivered, checking that each stream gets its
/// partition's records exactly once and in order; prints Kafka ÷ memory.
/// </summary>
public static class ReplayGroupsBenchmark
{
    private const int Partitions = 32;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var memory = await RunOnAsync("memory", new Dictionary<string, string>(), kafka: null, workload, results);
        using var kafka = new MockKafkaCluster();
        var onKafka = await RunOnAsync(
            "kafka",
            new Dictionary<string, string> { ["storage_records_type"] = "KAFKA", ["kafka_bootstrapServers"] = kafka.BootstrapServers },
            kafka,
            workload,
            results);
        results.Ratio("replay_groups", onKafka.TotalSeconds / memory.TotalSeconds);
    }

    private static async Task<TimeSpan> RunOnAsync(
        string storage, Dictionary<string, string> environment, MockKafkaCluster? kafka, Workload workload, BenchResults results)
    {
        var name = $"replay_groups_{storage}";
        await using var gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
        var address = $"http://127.0.0.1:{gateway.GrpcPort}";
        var topic = $"replay-{Guid.NewGuid():N}";
        kafka?.CreateTopic(topic, Partitions);
        var expected = await PublishHistoryAsync(gateway.Client, topic, workload.ReplayRecords);

        await using var replay = new Replay(address, topic, workload.ReplayConnections, expected);
        var clock = Stopwatch.StartNew();
        await replay.StartAsync(workload.ReplayGroups);
        var subscribed = clock.Elapsed;
        var missing = await replay.WaitForEveryRecordAsync(TimeSpan.FromMinutes(3));
        var elapsed = clock.Elapsed;
        if (missing > 0 || replay.Disorders > 0 || replay.Failures.Count > 0)
        {
            var logFile = Path.GetFullPath(Path.Combine("bench-results", $"{name}-gateway.log"));
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            await File.WriteAllTextAsync(logFile, gateway.Log);
            throw new InvalidOperationException(
                $"{name}: {missing} records not delivered after {elapsed.TotalSeconds:0.0} s, {replay.Disorders} out of order or " +
                $"repeated, {replay.Failures.Count} streams failed ({string.Join("; ", replay.Failures.Take(3))}); " +
                $"{replay.SilentStreams} streams delivered nothing; the gateway's log is in {logFile}");
        }

        results.Figure($"{name}.groups", workload.ReplayGroups);
        results.Figure($"{name}.streams", workload.ReplayGroups * Partitions);
        results.Figure($"{name}.connections", workload.ReplayConnections);
        results.Figure($"{name}.records_per_group", workload.ReplayRecords);
        results.Figure($"{name}.all_subscribed_s", subscribed.TotalSeconds);
        results.Figure($"{name}.all_delivered_s", elapsed.TotalSeconds);
        return elapsed;
    }

    /// <summary>Spreads <paramref name="records"/> over the partitions by key; answers how many each partition got.</summary>
    private static async Task<int[]> PublishHistoryAsync(LiiklusService.LiiklusServiceClient client, string topic, int records)
    {
        var keys = Enumerable.Range(0, Partitions).Select(p => ByteString.CopyFromUtf8(Keys.ForPartition(p, Partitions))).ToArray();
        var perPartition = new int[Partitions];
        var value = ByteString.CopyFrom(new byte[Workload.RecordSize]);
        for (var i = 0; i < records; i++)
        {
            var partition = i % Partitions;
            var request = new PublishRequest { Topic = topic, Key = keys[partition] };
#pragma warning disable CS0612
            request.Value = value;
#pragma warning restore CS0612
            var reply = await client.PublishAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            perPartition[reply.Partition]++;
        }

        return perPartition;
    }

    /// <summary>Groups from EARLIEST, each stream checking that it gets its partition's records once and in order.</summary>
    private sealed class Replay(string address, string topic, int connections, int[] expected) : IAsyncDisposable
    {
        private readonly OpenCalls _open = new();
        private readonly List<Counter> _counters = [];
        private long _disorders;

        public long Disorders => Interlocked.Read(ref _disorders);

        public List<string> Failures { get; } = [];

        public int SilentStreams => _counters.Count(c => Interlocked.Read(ref c.Received) == 0);

        public async Task StartAsync(int groups)
        {
            for (var c = 0; c < connections; c++)
            {
                _open.Open(GrpcChannel.ForAddress(address, new GrpcChannelOptions
                {
                    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
                    MaxReceiveMessageSize = 16 * 1024 * 1024,
                }));
            }

            // Groups subscribe side by side, as services starting at once would.
            await Task.WhenAll(Enumerable.Range(0, groups).Select(g => SubscribeAsync(g, new LiiklusService.LiiklusServiceClient(_open.Channels[g % connections]))));
        }

        public async Task<long> WaitForEveryRecordAsync(TimeSpan deadline)
        {
            var until = DateTime.UtcNow + deadline;
            while (true)
            {
                long missing;
                lock (_counters)
                {
                    missing = _counters.Sum(c => expected[c.Partition] - Interlocked.Read(ref c.Received));
                }

                if (missing == 0 || DateTime.UtcNow > until)
                {
                    return missing;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        }

        public ValueTask DisposeAsync() => _open.DisposeAsync();

        private async Task SubscribeAsync(int group, LiiklusService.LiiklusServiceClient client)
        {
            var subscription = _open.Keep(client.Subscribe(
                new SubscribeRequest { Topic = topic, Group = $"replay-{group}-{Guid.NewGuid():N}", AutoOffsetReset = SubscribeRequest.Types.AutoOffsetReset.Earliest },
                cancellationToken: _open.Stopping));

            for (var p = 0; p < Partitions; p++)
            {
                if (!await subscription.ResponseStream.MoveNext(_open.Stopping))
                {
                    throw new InvalidOperationException("a subscription ended before its assignments");
                }

                var assignment = subscription.ResponseStream.Current.Assignment;
                var receive = _open.Keep(client.Receive(new ReceiveRequest { Assignment = assignment }, cancellationToken: _open.Stopping));
                var counter = new Counter((int)assignment.Partition);
                lock (_counters)
                {
                    _counters.Add(counter);
                }

                _open.Reading(ReadAsync(receive, counter));
            }
        }

        private async Task ReadAsync(AsyncServerStreamingCall<ReceiveReply> receive, Counter counter)
        {
            try
            {
                while (await receive.ResponseStream.MoveNext(_open.Stopping))
                {
                    var offset = (long)receive.ResponseStream.Current.Record.Offset;
                    if (offset != counter.Next)
                    {
                        Interlocked.Increment(ref _disorders);
                    }

                    counter.Next = offset + 1;
                    Interlocked.Increment(ref counter.Received);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && _open.Stopping.IsCancellationRequested)
            {
                // Stopped by the benchmark.
            }
            catch (RpcException e)
            {
                lock (Failures)
                {
                    Failures.Add($"partition {counter.Partition}: {e.Status}");
                }
            }
        }
    }

    private sealed class Counter(int partition)
    {
        public readonly int Partition = partition;
        public long Received;
        public long Next;
    }
}
