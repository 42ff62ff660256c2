using Liiklus.Bench;
using Liiklus.Bench.Benchmarks;

// Every figure is a ratio to a baseline measured in this same run: these machines are noisy.
var benchmarks = new (string Name, Func<BenchHosts, Workload, BenchResults, Task> Run)[]
{
    ("receive", ReceiveBenchmark.RunAsync),
    ("receive_kafka", ReceiveKafkaBenchmark.RunAsync),
    ("publish", PublishBenchmark.RunAsync),
    ("publish_schema", PublishSchemaBenchmark.RunAsync),
    ("latency", LatencyBenchmark.RunAsync),
    // Publish→receive through the gateway on Kafka ÷ an application's own producer and consumer on the same cluster.
    ("latency_kafka", LatencyKafkaBenchmark.RunAsync),
    ("slow_consumer", SlowConsumerBenchmark.RunAsync),
    ("fan_out", FanOutBenchmark.RunAsync),
    ("fan_out_groups", FanOutGroupsBenchmark.RunAsync),
    ("replay_groups", ReplayGroupsBenchmark.RunAsync),
    // A partition replayed from the cold store ÷ the same records from Kafka; 10 groups sharing block reads.
    ("cold_replay", ColdReplayBenchmark.RunAsync),
    ("publish_secure", SecurePublishBenchmark.RunAsync),
    ("receive_secure", SecureReceiveBenchmark.RunAsync),
    ("acks", AckBenchmark.RunAsync),
    // Liiklus.Client's consumer ÷ a bare Receive loop, and its acks per 1,000 records.
    ("client_consume", ClientConsumeBenchmark.RunAsync),
    // Metrics on ÷ off (liiklus.metrics.enabled), two gateways in this process.
    ("receive_metrics", MetricsCostBenchmark.ReceiveAsync),
    ("publish_metrics", MetricsCostBenchmark.PublishAsync),
    // A gateway process started cold over a Kafka backlog: start → first served call, first 5 s of receiving ÷ warm.
    ("cold_start", ColdStartBenchmark.RunAsync),
};

var (commandLine, message, exitCode) = BenchCommandLine.Parse(args, [.. benchmarks.Select(b => b.Name)]);
if (commandLine is null)
{
    (exitCode == 0 ? Console.Out : Console.Error).WriteLine(message);
    return exitCode;
}

var workload = Workload.For(commandLine.Quick);
var results = new BenchResults();
var toRun = new List<(string Name, Func<BenchHosts, Workload, BenchResults, Task> Run)>();
foreach (var benchmark in benchmarks.Where(b => commandLine.Only.Contains(b.Name)))
{
    var missing = Prerequisites.MissingFor(benchmark.Name);
    if (missing.Count > 0)
    {
        Console.Error.WriteLine($"{benchmark.Name} skipped: {string.Join("; ", missing)}");
        results.Skipped(benchmark.Name, missing);
    }
    else
    {
        toRun.Add(benchmark);
    }
}

var failed = 0;
if (toRun.Count > 0)
{
    await using var hosts = await BenchHosts.StartAsync();
    foreach (var (name, run) in toRun)
    {
        Console.Error.WriteLine($"{name}...");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await run(hosts, workload, results);
            results.Figure($"{name}.run_seconds", clock.Elapsed.TotalSeconds);
        }
        catch (Exception e)
        {
            // The run goes on: the other benchmarks' figures are worth having, and this one's failure is in the file.
            failed++;
            Console.Error.WriteLine($"{name} failed: {e}");
            results.Failed(name, e.Message);
        }

        // After each benchmark, so a run that dies keeps what it measured.
        await results.WriteAsync(commandLine.Output, workload);
    }
}

else
{
    await results.WriteAsync(commandLine.Output, workload);
}

return failed == 0 ? 0 : 1;
