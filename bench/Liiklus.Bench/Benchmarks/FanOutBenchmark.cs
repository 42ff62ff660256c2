using System.Diagnostics;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>Many concurrent Receive streams of one partition: aggregate rate ÷ one stream's rate, and RSS per stream.</summary>
public static class FanOutBenchmark
{
    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var topic = $"fan-out-{Guid.NewGuid():N}";
        var perStream = workload.FanOutRecordsPerStream;
        await hosts.GatewayRecords.FillAsync(topic, partition: 0, perStream);

        var one = await AggregateRateAsync(hosts, topic, 1, perStream);
        var idleRss = Memory.SettledRssMb();
        var (many, peakRss) = await Memory.PeakDuring(() => AggregateRateAsync(hosts, topic, workload.FanOutStreams, perStream));

        results.Figure("fan_out.streams", workload.FanOutStreams);
        results.Figure("fan_out.one_stream_records_per_s", one);
        results.Figure("fan_out.aggregate_records_per_s", many);
        results.Figure("fan_out.rss_per_stream_kb", (peakRss - idleRss) * 1024 / workload.FanOutStreams);
        results.Ratio("fan_out", many / one);
    }

    private static async Task<double> AggregateRateAsync(BenchHosts hosts, string topic, int streams, int perStream)
    {
        // Every stream is its own group's subscription, spread over a few connections as real clients would be.
        var clients = Enumerable.Range(0, Math.Max(1, streams / 100)).Select(_ => hosts.NewGatewayClient()).ToList();
        var subscriptions = await Task.WhenAll(Enumerable.Range(0, streams).Select(i =>
            clients[i % clients.Count].SubscribeAsync(topic, $"fan-{Guid.NewGuid():N}", partition: 0)));
        try
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(subscriptions.Select((s, i) => Task.Run(async () =>
            {
                using var receive = clients[i % clients.Count].Receive(new ReceiveRequest { Assignment = s.Assignment });
                await receive.ReadAsync(perStream);
            })));
            return (double)streams * perStream / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var (call, _) in subscriptions)
            {
                call.Dispose();
            }
        }
    }
}
