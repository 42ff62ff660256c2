using Liiklus.Bench;
using Liiklus.Bench.Benchmarks;

// Every figure is a ratio to a baseline measured in this same run: these machines are noisy.
var quick = args.Contains("--quick");
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var output = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault()
    ?? Path.Combine("bench-results", $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}{(quick ? "-quick" : "")}.json");
var workload = Workload.For(quick);
var results = new BenchResults();

var benchmarks = new (string Name, Func<BenchHosts, Workload, BenchResults, Task> Run)[]
{
    ("receive", ReceiveBenchmark.RunAsync),
    ("receive_kafka", ReceiveKafkaBenchmark.RunAsync),
    ("publish", PublishBenchmark.RunAsync),
    ("publish_schema", PublishSchemaBenchmark.RunAsync),
    ("latency", LatencyBenchmark.RunAsync),
    ("slow_consumer", SlowConsumerBenchmark.RunAsync),
    ("fan_out", FanOutBenchmark.RunAsync),
    ("fan_out_groups", FanOutGroupsBenchmark.RunAsync),
    ("replay_groups", ReplayGroupsBenchmark.RunAsync),
    ("publish_secure", SecurePublishBenchmark.RunAsync),
    ("receive_secure", SecureReceiveBenchmark.RunAsync),
    ("acks", AckBenchmark.RunAsync),
    // Metrics on ÷ off (liiklus.metrics.enabled), two gateways in this process.
    ("receive_metrics", MetricsCostBenchmark.ReceiveAsync),
    ("publish_metrics", MetricsCostBenchmark.PublishAsync),
};

await using (var hosts = await BenchHosts.StartAsync())
{
    foreach (var (name, run) in benchmarks.Where(b => only is null || b.Name == only))
    {
        Console.Error.WriteLine($"{name}...");
        await run(hosts, workload, results);
    }
}

await results.WriteAsync(output, workload);
