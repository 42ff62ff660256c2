using System.Diagnostics;
using Liiklus.Protocol;
using Liiklus.Storage.Records;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// A stalled Receive stream while records flow to another: peak RSS ÷ idle RSS, and the flowing stream's rate
/// ÷ its rate with no stalled stream beside it.
/// </summary>
public static class SlowConsumerBenchmark
{
    // The writer stays at most this far ahead of the reader, well inside the partition's retention.
    private const int MaxLead = 50_000;

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var alone = await FlowingRateAsync(hosts, workload.SlowConsumerRecords);
        var idleRss = Memory.SettledRssMb();

        var stalledTopic = $"stalled-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(stalledTopic, partition: 1, 50_000);
        var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(stalledTopic, $"group-{Guid.NewGuid():N}", partition: 1);
        using var _ = subscription;
        using var stalled = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment });
        await stalled.ReadAsync(1);
        var (besideStalled, peakRss) = await Memory.PeakDuring(() => FlowingRateAsync(hosts, workload.SlowConsumerRecords));

        results.Figure("slow_consumer.flowing_alone_records_per_s", alone);
        results.Figure("slow_consumer.flowing_beside_stalled_records_per_s", besideStalled);
        results.Figure("slow_consumer.idle_rss_mb", idleRss);
        results.Figure("slow_consumer.peak_rss_mb", peakRss);
        results.Ratio("slow_consumer_rss", peakRss / idleRss);
        results.Ratio("slow_consumer_rate", besideStalled / alone);
    }

    /// <summary>Writes <paramref name="records"/> to one partition while one Receive stream reads them all.</summary>
    private static async Task<double> FlowingRateAsync(BenchHosts hosts, int records)
    {
        var topic = $"flowing-{Guid.NewGuid():N}";
        var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(topic, $"group-{Guid.NewGuid():N}", partition: 0);
        using var _ = subscription;
        using var receive = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment });
        long received = 0;
        var key = BenchClient.KeyFor(0);
        var value = new byte[Workload.RecordSize];
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var written = 0; written < records; written++)
            {
                while (written - Interlocked.Read(ref received) > MaxLead)
                {
                    await Task.Yield();
                }

                await hosts.GatewayRecords.PublishAsync(topic, new OutgoingRecord(key, value, [], DateTimeOffset.UtcNow), CancellationToken.None);
            }
        });
        while (received < records && await receive.ResponseStream.MoveNext(CancellationToken.None))
        {
            if ((long)receive.ResponseStream.Current.Record.Offset != received)
            {
                throw new InvalidOperationException($"expected offset {received}, got {receive.ResponseStream.Current.Record.Offset}");
            }

            Interlocked.Increment(ref received);
        }

        await writer;
        return records / clock.Elapsed.TotalSeconds;
    }
}
