using System.Diagnostics;
using Google.Protobuf;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>Concurrent unary Publish callers on the gateway ÷ the same callers on a bare echo service.</summary>
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

        var bare = await RateAsync(hosts.Bare, workload.PublishCallers, workload.PublishDuration);
        var gateway = await RateAsync(hosts.Gateway, workload.PublishCallers, workload.PublishDuration);
        results.Figure("publish.gateway_calls_per_s", gateway);
        results.Figure("publish.bare_calls_per_s", bare);
        results.Ratio("publish", gateway / bare);
    }
}
