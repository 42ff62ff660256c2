using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// What metrics cost: the gateway as configured (metrics on) ÷ the same gateway with <c>liiklus.metrics.enabled = off</c>,
/// side by side in this process and measured in turns. Each gateway exports only its own instruments, so the second
/// one measures nothing at all.
/// </summary>
public static class MetricsCostBenchmark
{
    private static string MetricsOff => $"""
        liiklus.metrics.enabled = off
        liiklus.storage.memory.retention-per-partition = {BenchHosts.RetentionPerPartition}
        """;

    public static async Task ReceiveAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        await using var off = await hosts.StartGatewayAsync(MetricsOff);
        var onTopic = $"receive-metrics-on-{Guid.NewGuid():N}";
        var offTopic = $"receive-metrics-off-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(onTopic, partition: 0, workload.ReceiveRecords);
        await off.Services.GetRequiredService<IRecordsStorage>().FillAsync(offTopic, partition: 0, workload.ReceiveRecords);

        var withMetrics = new MeasuredSide(workload.ReceiveRecords, () => ReceiveBenchmark.RateAsync(hosts.Gateway, onTopic, workload.ReceiveRecords));
        var withoutMetrics = new MeasuredSide(workload.ReceiveRecords, () => ReceiveBenchmark.RateAsync(off.Client, offTopic, workload.ReceiveRecords));
        await ReceiveBenchmark.RateAsync(hosts.Gateway, onTopic, 20_000);
        await ReceiveBenchmark.RateAsync(off.Client, offTopic, 20_000);
        await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, withoutMetrics, withMetrics);
        results.Figure("receive_metrics.on_records_per_s", withMetrics.BestRate);
        results.Figure("receive_metrics.off_records_per_s", withoutMetrics.BestRate);
        results.Figure("receive_metrics.on_cpu_us_per_record", withMetrics.CpuMicrosPerRecord);
        results.Figure("receive_metrics.off_cpu_us_per_record", withoutMetrics.CpuMicrosPerRecord);
        results.Ratio("receive_metrics", withMetrics.BestRate / withoutMetrics.BestRate);
    }

    public static async Task PublishAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        await using var off = await hosts.StartGatewayAsync(MetricsOff);
        await PublishBenchmark.RateAsync(hosts.Gateway, workload.PublishCallers, TimeSpan.FromMilliseconds(500));
        await PublishBenchmark.RateAsync(off.Client, workload.PublishCallers, TimeSpan.FromMilliseconds(500));

        // In turns, best of each: a publish run is short and the machine noisy.
        double on = 0, offRate = 0;
        var perRun = workload.PublishDuration / 2;
        for (var round = 0; round < Math.Max(2, workload.Rounds); round++)
        {
            offRate = Math.Max(offRate, await PublishBenchmark.RateAsync(off.Client, workload.PublishCallers, perRun));
            on = Math.Max(on, await PublishBenchmark.RateAsync(hosts.Gateway, workload.PublishCallers, perRun));
        }

        results.Figure("publish_metrics.on_calls_per_s", on);
        results.Figure("publish_metrics.off_calls_per_s", offRate);
        results.Ratio("publish_metrics", on / offRate);
    }
}
