using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// Publish→receive latency through the gateway ÷ a bare unary Publish round trip (p50 and p99), the bare service doing
/// the same storage work (an append to an in-memory partition log). Samples of the two sides alternate, one of each in
/// turn, so both see the machine's load of the same moments.
/// </summary>
public static class LatencyBenchmark
{
    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var (gateway, bare) = await SampleAsync(hosts, workload.LatencySamples);
        results.Figure("latency.gateway_p50_ms", Percentile(gateway, 0.50));
        results.Figure("latency.gateway_p99_ms", Percentile(gateway, 0.99));
        results.Figure("latency.bare_p50_ms", Percentile(bare, 0.50));
        results.Figure("latency.bare_p99_ms", Percentile(bare, 0.99));
        results.Ratio("latency_p50", Percentile(gateway, 0.50) / Percentile(bare, 0.50));
        results.Ratio("latency_p99", Percentile(gateway, 0.99) / Percentile(bare, 0.99));
    }

    private static async Task<(List<double> Gateway, List<double> Bare)> SampleAsync(BenchHosts hosts, int samples)
    {
        var topic = $"latency-{Guid.NewGuid():N}";
        var key = ByteString.CopyFrom(BenchClient.KeyFor(0));
        var (subscription, assignment) = await hosts.Gateway.SubscribeAsync(topic, $"group-{Guid.NewGuid():N}", partition: 0);
        using var subscribed = subscription;
        using var receive = hosts.Gateway.Receive(new ReceiveRequest { Assignment = assignment });
        var arrivals = new ConcurrentDictionary<ulong, TaskCompletionSource<long>>();
        var reader = Task.Run(async () =>
        {
            while (await receive.ResponseStream.MoveNext(CancellationToken.None))
            {
                var arrived = Stopwatch.GetTimestamp();
                arrivals.GetOrAdd(receive.ResponseStream.Current.Record.Offset, _ => new TaskCompletionSource<long>()).TrySetResult(arrived);
            }
        });

        var gateway = new List<double>(samples);
        var bare = new List<double>(samples);
        var bareRequest = new PublishRequest { Topic = "latency", Key = key, LiiklusEvent = Event() };
        for (var i = 0; i < samples + 100; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var published = await hosts.Gateway.PublishAsync(new PublishRequest { Topic = topic, Key = key, LiiklusEvent = Event() });
            var arrived = await arrivals.GetOrAdd(published.Offset, _ => new TaskCompletionSource<long>()).Task.WaitAsync(TimeSpan.FromSeconds(30));
            arrivals.TryRemove(published.Offset, out _);
            var bareStarted = Stopwatch.GetTimestamp();
            await hosts.Bare.PublishAsync(bareRequest);
            if (i >= 100)
            {
                gateway.Add(Stopwatch.GetElapsedTime(started, arrived).TotalMilliseconds);
                bare.Add(Stopwatch.GetElapsedTime(bareStarted).TotalMilliseconds);
            }
        }

        return (gateway, bare);
    }

    private static LiiklusEvent Event() => new()
    {
        Id = "id",
        Type = "bench",
        Source = "/bench",
        Data = ByteString.CopyFrom(new byte[Workload.RecordSize]),
    };

    internal static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];
    }
}
