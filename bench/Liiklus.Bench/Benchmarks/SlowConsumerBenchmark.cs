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
        var stalledTopic = $"stalled-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(stalledTopic, partition: 1, 50_000);
        // Every run flows through this one topic, filled to its retention first, so what the in-memory storage retains
        // is the same in every round (idle and peak alike) instead of growing with each run.
        var flowingTopic = $"flowing-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(flowingTopic, partition: 0, BenchHosts.RetentionPerPartition);
        await Interleaved.WarmUpAsync(workload.WarmUp, () => FlowingRateAsync(hosts, flowingTopic, workload.SlowConsumerRecords));

        // In turns, best of each, so neither side profits from running later on a noisy machine.
        var (alone, besideStalled, idleRss, peakRss) = (0.0, 0.0, 0.0, 0.0);
        for (var round = 0; round < workload.Rounds; round++)
        {
            // Both sides run under the same RSS sampler, so its cost weighs on both alike.
            var (aloneRate, _) = await Memory.PeakDuring(() => FlowingRateAsync(hosts, flowingTopic, workload.SlowConsumerRecords));
            alone = Math.Max(alone, aloneRate);
            if (round == 0)
            {
                // Idle once the heap has grown to what flowing records need, so the peak shows what stalling adds.
                idleRss = Memory.SettledRssMb();
            }

            // The stalled stream shares the flowing one's channel (one HTTP/2 connection), as one subscriber's do.
            var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(stalledTopic, $"group-{Guid.NewGuid():N}", partition: 1);
            using (subscription)
            using (var stalled = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment }))
            {
                await stalled.ReadAsync(1);
                var (rate, peak) = await Memory.PeakDuring(() => FlowingRateAsync(hosts, flowingTopic, workload.SlowConsumerRecords));
                besideStalled = Math.Max(besideStalled, rate);
                peakRss = Math.Max(peakRss, peak);
            }
        }

        results.Figure("slow_consumer.flowing_alone_records_per_s", alone);
        results.Figure("slow_consumer.flowing_beside_stalled_records_per_s", besideStalled);
        results.Figure("slow_consumer.idle_rss_mb", idleRss);
        results.Figure("slow_consumer.peak_rss_mb", peakRss);
        results.Ratio("slow_consumer_rss", peakRss / idleRss);
        results.Ratio("slow_consumer_rate", besideStalled / alone);
    }

    /// <summary>
    /// Writes <paramref name="records"/> to partition 0 of <paramref name="topic"/> while one Receive stream, of a new
    /// group acked up to the partition's end, reads them all.
    /// </summary>
    private static async Task<double> FlowingRateAsync(BenchHosts hosts, string topic, int records)
    {
        var end = (await hosts.GatewayRecords.GetEndOffsetsAsync(topic, CancellationToken.None)).GetValueOrDefault(0, -1);
        var group = $"group-{Guid.NewGuid():N}";
        var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(topic, group, partition: 0);
        using var _ = subscription;
        if (end >= 0)
        {
            await hosts.Gateway.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = 0, Offset = (ulong)end });
        }

        var first = end + 1;
        using var receive = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment });
        long received = 0;
        var key = BenchClient.KeyFor(0);
        var value = new byte[Workload.RecordSize];
        using var readerGone = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var writer = Task.Run(async () =>
        {
            for (var written = 0; written < records && !readerGone.IsCancellationRequested; written++)
            {
                while (written - Interlocked.Read(ref received) > MaxLead && !readerGone.IsCancellationRequested)
                {
                    await Task.Yield();
                }

                await hosts.GatewayRecords.PublishAsync(topic, new OutgoingRecord(key, value, [], DateTimeOffset.UtcNow), CancellationToken.None);
            }
        });
        while (received < records && await receive.ResponseStream.MoveNext(CancellationToken.None))
        {
            if ((long)receive.ResponseStream.Current.Record.Offset != first + received)
            {
                throw new InvalidOperationException($"expected offset {first + received}, got {receive.ResponseStream.Current.Record.Offset}");
            }

            Interlocked.Increment(ref received);
        }

        var elapsed = clock.Elapsed;
        if (received < records)
        {
            await readerGone.CancelAsync();
            await writer;
            throw new InvalidOperationException($"the flowing stream ended after {received} of {records} records");
        }

        await writer;
        return records / elapsed.TotalSeconds;
    }
}
