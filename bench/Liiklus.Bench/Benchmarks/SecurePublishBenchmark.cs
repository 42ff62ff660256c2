namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// <see cref="PublishBenchmark"/> with TLS and JWT: concurrent Publish callers on the gateway with TLS, an RS512 token
/// on every call and rights from its scopes ÷ the same callers on the bare service over TLS (which appends each record to an in-memory partition log, as
/// the gateway's storage does).
/// </summary>
public static class SecurePublishBenchmark
{
    public static async Task RunAsync(BenchHosts _, Workload workload, BenchResults results)
    {
        await using var hosts = await SecureHosts.StartAsync();
        await PublishBenchmark.RateAsync(hosts.Gateway, workload.PublishCallers, TimeSpan.FromMilliseconds(500));
        await PublishBenchmark.RateAsync(hosts.Bare, workload.PublishCallers, TimeSpan.FromMilliseconds(500));

        var bare = await PublishBenchmark.RateAsync(hosts.Bare, workload.PublishCallers, workload.PublishDuration);
        var gateway = await PublishBenchmark.RateAsync(hosts.Gateway, workload.PublishCallers, workload.PublishDuration);
        results.Figure("publish_secure.gateway_calls_per_s", gateway);
        results.Figure("publish_secure.bare_tls_calls_per_s", bare);
        results.Ratio("publish_secure", gateway / bare);
    }
}
