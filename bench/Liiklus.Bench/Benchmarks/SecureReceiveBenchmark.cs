using System.Diagnostics;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// <see cref="ReceiveBenchmark"/> with TLS and JWT: one Receive stream of 100-byte records from the gateway with TLS,
/// RS512 tokens (on the Subscribe and the Receive) and rights from scopes ÷ the bare streaming service over TLS.
/// </summary>
public static class SecureReceiveBenchmark
{
    public static async Task RunAsync(BenchHosts _, Workload workload, BenchResults results)
    {
        await using var hosts = await SecureHosts.StartAsync();
        var topic = $"receive-secure-{Guid.NewGuid():N}";
        await hosts.GatewayRecords.FillAsync(topic, partition: 0, workload.ReceiveRecords);
        await GatewayRateAsync(hosts, topic, 20_000);
        await BareRateAsync(hosts, 20_000);

        var bare = new MeasuredSide(workload.ReceiveRecords, () => BareRateAsync(hosts, workload.ReceiveRecords));
        var gateway = new MeasuredSide(workload.ReceiveRecords, () => GatewayRateAsync(hosts, topic, workload.ReceiveRecords));
        await Interleaved.MeasureAsync(workload.Rounds, workload.WarmUp, bare, gateway);
        results.Figure("receive_secure.gateway_records_per_s", gateway.BestRate);
        results.Figure("receive_secure.bare_tls_records_per_s", bare.BestRate);
        results.Figure("receive_secure.gateway_cpu_us_per_record", gateway.CpuMicrosPerRecord);
        results.Figure("receive_secure.bare_tls_cpu_us_per_record", bare.CpuMicrosPerRecord);
        results.Ratio("receive_secure", gateway.BestRate / bare.BestRate);
    }

    private static async Task<double> GatewayRateAsync(SecureHosts hosts, string topic, int records)
    {
        var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(topic, $"group-{Guid.NewGuid():N}", partition: 0);
        using (subscription)
        {
            var clock = Stopwatch.StartNew();
            using var receive = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment });
            await receive.ReadAsync(records);
            return records / clock.Elapsed.TotalSeconds;
        }
    }

    private static async Task<double> BareRateAsync(SecureHosts hosts, int records)
    {
        var clock = Stopwatch.StartNew();
        using var receive = hosts.Bare.Receive(new ReceiveRequest { LastKnownOffset = (ulong)records });
        await receive.ReadAsync(records);
        return records / clock.Elapsed.TotalSeconds;
    }
}
