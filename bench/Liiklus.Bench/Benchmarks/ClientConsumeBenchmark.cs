using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Client;
using Liiklus.Tests.Support;
using Wire = Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Liiklus.Client's <see cref="LiiklusConsumer"/> with an empty handler ÷ a bare loop of raw Subscribe and Receive
/// calls, each reading every record of a 32-partition topic as a new group, from a gateway in a process of its own
/// (in-memory storages); each rate from before the Subscribe to the last record, on a connected channel. The ratio is the median over the rounds
/// of each round's consumer ÷ bare rates, the two measured back to back (in turns first): on a machine whose load
/// swings, a pair shares the load of its moment, where the best rate of each side picks two different moments (that
/// ratio is kept as a figure). The consumer runs at its defaults but
/// for <see cref="LiiklusConsumerOptions.HandoffDelay"/> (zero): that is a one-off wait per gained partition, not a
/// cost per record, and the bare loop has none. Then one more consumer run at every default counts the positions
/// writes per 1,000 records, by the gateway (<c>liiklus_storage_operation_duration_seconds_count</c>,
/// <c>operation="ack"</c>, on its /prometheus), split by the client's <c>liiklus.client.ack.flushes</c> reasons into the
/// writes while consuming (batch and interval) and the final ones when the consumer stops.
/// </summary>
public static class ClientConsumeBenchmark
{
    private const int Partitions = 32;

    /// <summary>
    /// Pairs measured in a full run: one pair lasts a second or two, and on a shared machine one pair's ratio swings
    /// by a third either way, so the median needs more of them than the other benchmarks' rounds.
    /// </summary>
    private const int FullRunPairs = 11;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var operationsPort = GatewayProcess.FreePort();
        await using var gateway = await GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["server_port"] = operationsPort.ToString() },
            GatewayProcess.FreePort(),
            seedNodes: null);
        var address = new Uri($"http://127.0.0.1:{gateway.GrpcPort}");
        using var client = new LiiklusClient(new LiiklusClientOptions { Address = address });
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{operationsPort}") };
        var topic = $"client-consume-{Guid.NewGuid():N}";
        var records = workload.ClientConsumeRecords;
        await PublishAsync(client, topic, records);

        using var flushes = new AckFlushes();
        var bare = new MeasuredSide(records, () => BareRateAsync(address, topic, records));
        var consumer = new MeasuredSide(records, async () =>
            (await ConsumerRateAsync(client, metrics, flushes, topic, records, new LiiklusConsumerOptions { HandoffDelay = TimeSpan.Zero })).Rate);
        // Where the consumer's cost lies: the same reads through LiiklusClient's typed Subscribe and Receive alone.
        var typed = new MeasuredSide(records, () => TypedRateAsync(client, topic, records));
        await Interleaved.WarmUpAsync(workload.WarmUp, bare.WarmUpAsync, typed.WarmUpAsync, consumer.WarmUpAsync);
        for (var round = 0; round < Rounds(workload); round++)
        {
            // The two sides compared run back to back, in turns first: a pair shares the machine's load of the moment.
            await typed.MeasureAsync();
            foreach (var side in round % 2 == 0 ? new[] { bare, consumer } : new[] { consumer, bare })
            {
                await side.MeasureAsync();
            }
        }

        var (defaultsRate, acks) = await ConsumerRateAsync(client, metrics, flushes, topic, records, new LiiklusConsumerOptions());

        results.Figure("client_consume.records", records);
        results.Figure("client_consume.consumer_records_per_s", consumer.BestRate);
        results.Figure("client_consume.bare_records_per_s", bare.BestRate);
        results.Figure("client_consume.consumer_cpu_us_per_record", consumer.CpuMicrosPerRecord);
        results.Figure("client_consume.bare_cpu_us_per_record", bare.CpuMicrosPerRecord);
        results.Figure("client_consume.defaults_records_per_s", defaultsRate);
        results.Figure("client_consume.typed_client_records_per_s", typed.BestRate);
        results.Figure("client_consume.typed_client_cpu_us_per_record", typed.CpuMicrosPerRecord);
        results.Figure("client_consume.acks_while_consuming", acks.WhileConsuming);
        results.Figure("client_consume.acks_on_stop", acks.Final);
        results.Figure("client_consume.acks_per_1000_with_stop", acks.Total * 1000.0 / records);
        var pairs = consumer.Rates.Zip(bare.Rates, (c, b) => c / b).Order().ToList();
        for (var round = 0; round < consumer.Rates.Count; round++)
        {
            results.Figure($"client_consume.round_{round + 1}_ratio", consumer.Rates[round] / bare.Rates[round]);
        }

        results.Figure("client_consume.best_rates_ratio", consumer.BestRate / bare.BestRate);
        results.Ratio("client_consume", Median(pairs));
        results.Ratio("client_consume_acks_per_1000", acks.WhileConsuming * 1000.0 / records);
    }

    /// <summary>100-byte CloudEvents spread evenly over the partitions, through the client's pipelined publisher.</summary>
    private static async Task PublishAsync(LiiklusClient client, string topic, int records)
    {
        var publisher = new LiiklusPublisher(client, new LiiklusPublisherOptions { MaxInFlight = 64 });
        var keys = Enumerable.Range(0, Partitions).Select(p => System.Text.Encoding.UTF8.GetBytes(Keys.ForPartition(p, Partitions))).ToArray();
        var data = new byte[Workload.RecordSize];
        var calls = new List<Task<Client.PublishResult>>(records);
        for (var i = 0; i < records; i++)
        {
            var cloudEvent = new CloudEvent($"e{i}", "bench.record", new Uri("/bench", UriKind.Relative)) { Data = data };
            calls.Add(await publisher.StartPublishEventAsync(topic, cloudEvent, keys[i % Partitions]));
        }

        var stored = await Task.WhenAll(calls);
        if (stored.Select(s => s.Partition).Distinct().Count() != Partitions)
        {
            throw new InvalidOperationException($"the records landed on {stored.Select(s => s.Partition).Distinct().Count()} partitions, not {Partitions}");
        }
    }

    /// <summary>A new group read by raw calls: one Subscribe, a Receive per assignment, no acks.</summary>
    private static async Task<double> BareRateAsync(Uri address, string topic, int records)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
        });
        var service = new Wire.LiiklusService.LiiklusServiceClient(channel);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Connected before the clock starts, as the consumer's client is: each side times its reads, not a connect.
        await channel.ConnectAsync(stop.Token);
        var start = Stopwatch.GetTimestamp();
        using var subscription = service.Subscribe(
            new Wire.SubscribeRequest { Topic = topic, Group = $"bare-{Guid.NewGuid():N}", AutoOffsetReset = Wire.SubscribeRequest.Types.AutoOffsetReset.Earliest },
            cancellationToken: stop.Token);
        var perPartition = records / Partitions;
        var received = 0L;
        var last = 0L;
        var reading = new List<Task>();
        for (var p = 0; p < Partitions; p++)
        {
            if (!await subscription.ResponseStream.MoveNext(stop.Token))
            {
                throw new InvalidOperationException("the subscription ended before its assignments");
            }

            var assignment = subscription.ResponseStream.Current.Assignment;
            reading.Add(Task.Run(async () =>
            {
                using var receive = service.Receive(
                    new Wire.ReceiveRequest { Assignment = assignment, Format = Wire.ReceiveRequest.Types.ContentFormat.LiiklusEvent },
                    cancellationToken: stop.Token);
                for (var n = 0; n < perPartition; n++)
                {
                    if (!await receive.ResponseStream.MoveNext(stop.Token))
                    {
                        throw new InvalidOperationException($"the Receive of partition {assignment.Partition} ended after {n} records");
                    }

                    if (Interlocked.Increment(ref received) == records)
                    {
                        last = Stopwatch.GetTimestamp();
                    }
                }
            }));
        }

        await Task.WhenAll(reading);
        return records / Stopwatch.GetElapsedTime(start, last).TotalSeconds;
    }

    /// <summary>A new group read through <see cref="LiiklusClient"/>'s typed calls: one Subscribe, a Receive per assignment.</summary>
    private static async Task<double> TypedRateAsync(LiiklusClient client, string topic, int records)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var start = Stopwatch.GetTimestamp();
        var perPartition = records / Partitions;
        var received = 0L;
        var last = 0L;
        var reading = new List<Task>();
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, $"typed-{Guid.NewGuid():N}"), OffsetReset.Earliest, stop.Token).GetAsyncEnumerator(stop.Token);
        for (var p = 0; p < Partitions; p++)
        {
            if (!await subscription.MoveNextAsync())
            {
                throw new InvalidOperationException("the subscription ended before its assignments");
            }

            var assignment = subscription.Current;
            reading.Add(Task.Run(async () =>
            {
                var n = 0;
                await foreach (var record in client.ReceiveAsync(assignment, cancellationToken: stop.Token))
                {
                    if (Interlocked.Increment(ref received) == records)
                    {
                        last = Stopwatch.GetTimestamp();
                    }

                    if (++n == perPartition)
                    {
                        break;
                    }
                }
            }));
        }

        await Task.WhenAll(reading);
        await stop.CancelAsync();
        return records / Stopwatch.GetElapsedTime(start, last).TotalSeconds;
    }

    /// <summary>A new group read by a <see cref="LiiklusConsumer"/>, stopped once every record was handled.</summary>
    private static async Task<(double Rate, (long WhileConsuming, long Total, long Final) Acks)> ConsumerRateAsync(
        LiiklusClient client, HttpClient metrics, AckFlushes flushes, string topic, int records, LiiklusConsumerOptions options)
    {
        var group = new ConsumerGroup(topic, $"consumer-{Guid.NewGuid():N}");
        var consumer = new LiiklusConsumer(client, group, options);
        var handled = 0L;
        var last = 0L;
        var everyRecord = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new EmptyHandler(() =>
        {
            if (Interlocked.Increment(ref handled) == records)
            {
                last = Stopwatch.GetTimestamp();
                everyRecord.TrySetResult();
            }
        });
        var writesBefore = await AckWritesAsync(metrics);
        using var stop = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();
        var run = consumer.RunAsync(handler, stop.Token);
        await everyRecord.Task.WaitAsync(TimeSpan.FromMinutes(3));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromMinutes(1));
        var total = await AckWritesAsync(metrics) - writesBefore;
        var final = flushes.Final(group);
        if (total != flushes.All(group))
        {
            throw new InvalidOperationException($"the gateway wrote {total} positions, the consumer counted {flushes.All(group)} acks");
        }

        return (records / Stopwatch.GetElapsedTime(start, last).TotalSeconds, (total - final, total, final));
    }

    private static int Rounds(Workload workload) => workload.Quick ? workload.Rounds : FullRunPairs;

    private static double Median(IReadOnlyList<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    /// <summary>Positions written by the gateway's positions storage so far.</summary>
    private static async Task<long> AckWritesAsync(HttpClient metrics)
    {
        var scrape = PrometheusText.Parse(await metrics.GetStringAsync("/prometheus"));
        return (long)scrape.Find("liiklus_storage_operation_duration_seconds_count", ("operation", "ack")).Sum(s => s.Value);
    }

    private sealed class EmptyHandler(Action handled) : IRecordHandler
    {
        public ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken)
        {
            handled();
            return ValueTask.FromResult(HandleResult.Success);
        }
    }

    /// <summary>The client's <c>liiklus.client.ack.flushes</c>, by group and reason.</summary>
    private sealed class AckFlushes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string Group, string Reason), long> _counts = [];

        public AckFlushes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Liiklus.Client" && instrument.Name == "liiklus.client.ack.flushes")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? group = null, reason = null;
                foreach (var tag in tags)
                {
                    group = tag.Key == "group" ? tag.Value as string : group;
                    reason = tag.Key == "reason" ? tag.Value as string : reason;
                }

                lock (_counts)
                {
                    _counts[(group ?? "", reason ?? "")] = _counts.GetValueOrDefault((group ?? "", reason ?? "")) + value;
                }
            });
            _listener.Start();
        }

        public long Final(ConsumerGroup group)
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault((group.Name, "final"));
            }
        }

        public long All(ConsumerGroup group)
        {
            lock (_counts)
            {
                return _counts.Where(c => c.Key.Group == group.Name).Sum(c => c.Value);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
