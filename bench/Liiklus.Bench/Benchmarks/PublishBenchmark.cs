using System.Diagnostics;
using System.Runtime;
using Google.Protobuf;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Concurrent unary Publish callers on the gateway ÷ the same callers on the bare service, which appends each record to
/// an in-memory partition log as the gateway's storage does. The two sides run in turns, <see cref="Workload.Rounds"/>
/// rounds of a share of <see cref="Workload.PublishDuration"/> each, first one side then the other first; the ratio is the
/// median of the rounds' gateway ÷ bare pairs, so a swing of the machine's load hits both sides of a pair alike.
/// </summary>
public static class PublishBenchmark
{
    private static readonly ByteString Value = ByteString.CopyFrom(new byte[Workload.RecordSize]);

    public static async Task<double> RateAsync(LiiklusService.LiiklusServiceClient client, int callers, TimeSpan duration)
    {
        var topic = $"publish-{Guid.NewGuid():N}";
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
#pragma warning disable CS0612
                await client.PublishAsync(new PublishRequest { Topic = topic, Value = Value });
#pragma warning restore CS0612
                Interlocked.Increment(ref calls);
            }
        })));
        return calls / clock.Elapsed.TotalSeconds;
    }

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        await RateAsync(hosts.Gateway, workload.PublishCallers, TimeSpan.FromMilliseconds(500));
        await RateAsync(hosts.Bare, workload.PublishCallers, TimeSpan.FromMilliseconds(500));
        // Both sides in turns until the JIT has tiered the gateway's longer path, as the throughput benchmarks do:
        // measured before it, the gateway's rounds paid for the compiler thread's work on both sides' shared code.
        await Interleaved.WarmUpAsync(
            workload.WarmUp,
            () => RateAsync(hosts.Gateway, workload.PublishCallers, TimeSpan.FromSeconds(1)),
            () => RateAsync(hosts.Bare, workload.PublishCallers, TimeSpan.FromSeconds(1)));
        var jitMethods = JitInfo.GetCompiledMethodCount();
        var jitTime = JitInfo.GetCompilationTime();

        var share = workload.PublishDuration / workload.Rounds;
        var gatewayCpu = new CpuPerCall();
        var bareCpu = new CpuPerCall();
        var gatewayRates = new List<double>();
        var bareRates = new List<double>();
        var pairs = new List<double>();
        for (var round = 0; round < workload.Rounds; round++)
        {
            double gateway, bare;
            if (round % 2 == 0)
            {
                bare = await bareCpu.MeasureAsync(() => RateAsync(hosts.Bare, workload.PublishCallers, share));
                gateway = await gatewayCpu.MeasureAsync(() => RateAsync(hosts.Gateway, workload.PublishCallers, share));
            }
            else
            {
                gateway = await gatewayCpu.MeasureAsync(() => RateAsync(hosts.Gateway, workload.PublishCallers, share));
                bare = await bareCpu.MeasureAsync(() => RateAsync(hosts.Bare, workload.PublishCallers, share));
            }

            gatewayRates.Add(gateway);
            bareRates.Add(bare);
            pairs.Add(gateway / bare);
            results.Figure($"publish.round_{round + 1}_ratio", gateway / bare);
        }

        results.Figure("publish.gateway_calls_per_s", gatewayRates.Max());
        results.Figure("publish.bare_calls_per_s", bareRates.Max());
        results.Figure("publish.best_rates_ratio", gatewayRates.Max() / bareRates.Max());
        // The whole process's CPU per call (the callers, the server and whatever else ran): what each side costs.
        results.Figure("publish.gateway_cpu_us_per_call", gatewayCpu.MicrosPerCall);
        results.Figure("publish.bare_cpu_us_per_call", bareCpu.MicrosPerCall);
        // Managed bytes the whole process allocated per call (callers and server): steadier than time on a shared machine.
        results.Figure("publish.gateway_allocated_bytes_per_call", gatewayCpu.AllocatedBytesPerCall);
        results.Figure("publish.bare_allocated_bytes_per_call", bareCpu.AllocatedBytesPerCall);
        // What the JIT still did while the rounds ran: near nothing once both sides are warm.
        results.Figure("publish.jit_methods_while_measured", JitInfo.GetCompiledMethodCount() - jitMethods);
        results.Figure("publish.jit_ms_while_measured", (JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds);
        results.Ratio("publish", Median(pairs));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed class CpuPerCall
    {
        private TimeSpan _cpu;
        private long _allocated;
        private double _calls;

        public double MicrosPerCall => _calls == 0 ? 0 : _cpu.TotalMicroseconds / _calls;

        public double AllocatedBytesPerCall => _calls == 0 ? 0 : _allocated / _calls;

        public async Task<double> MeasureAsync(Func<Task<double>> run)
        {
            var before = ProcessorTime();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var clock = Stopwatch.StartNew();
            var rate = await run();
            _cpu += ProcessorTime() - before;
            _allocated += GC.GetTotalAllocatedBytes() - allocatedBefore;
            _calls += rate * clock.Elapsed.TotalSeconds;
            return rate;
        }

        private static TimeSpan ProcessorTime()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }
}
