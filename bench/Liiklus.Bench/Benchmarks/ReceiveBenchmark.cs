using System.Diagnostics;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>One Receive stream of 100-byte records from in-memory storage ÷ a bare server-streaming service.</summary>
public static class ReceiveBenchmark
{
    /// <summary>Reads <paramref name="records"/> of partition 0 of <paramref name="topic"/> from its start, as a new group.</summary>
    public static Task<double> GatewayRateAsync(BenchHosts hosts, string topic, int records) => RateAsync(hosts.Gateway, topic, records);

    /// <summary>The same through any gateway's client.</summary>
    public static async Task<double> RateAsync(LiiklusService.LiiklusServiceClient gateway, string topic, int records)
    {
        var (subscription, assignment) = await gateway.SubscribeAsync(topic, $"group-{Guid.NewGuid():N}", partition: 0);
        using (subscription)
        {
            var clock = Stopwatch.StartNew();
            using var receive = gateway.Receive(new ReceiveRequest { Assignment = assignment });
            await receive.ReadAsync(records);
            return records / clock.Elapsed.TotalSeconds;
        }
    }

    public static async Task<double> BareRateAsync(BenchHosts hosts, int records)
    {
        var clock = Stopwatch.StartNew();
        using var receive = hosts.Bare.Receive(new ReceiveRequest { LastKnownOffset = (ulong)records });
        await receive.ReadAsync(records);
        return records / clock.Elapsed.TotalSeconds;
    }

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        // Filled once and read by a new group each round: the in-memory storage keeps every topic, and a topic per
        // round would grow the heap that later rounds and benchmarks run beside.
        var topic = $"receive-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(topic, partition: 0, workload.ReceiveRecords);
        await GatewayRateAsync(hosts, topic, 20_000);
        await BareRateAsync(hosts, 20_000);

        var bare = new MeasuredSide(workload.ReceiveRecords, () => BareRateAsync(hosts, workload.ReceiveRecords));
        var gateway = new MeasuredSide(workload.ReceiveRecords, () => GatewayRateAsync(hosts, topic, workload.ReceiveRecords));
        await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, bare, gateway);
        results.Figure("receive.gateway_records_per_s", gateway.BestRate);
        results.Figure("receive.bare_records_per_s", bare.BestRate);
        results.Figure("receive.gateway_cpu_us_per_record", gateway.CpuMicrosPerRecord);
        results.Figure("receive.bare_cpu_us_per_record", bare.CpuMicrosPerRecord);
        results.Ratio("receive", gateway.BestRate / bare.BestRate);
    }
}
