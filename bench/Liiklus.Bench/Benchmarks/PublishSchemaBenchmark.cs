using System.Diagnostics;
using Google.Protobuf;
using Liiklus.Protocol;

namespace Liiklus.Bench.Benchmarks;

/// <summary>
/// What schema validation costs a publish: concurrent unary Publish callers on a gateway validating every event
/// against a small draft-4 schema ÷ the same callers on an otherwise identical gateway without it, measured in
/// turns in this run.
/// </summary>
public static class PublishSchemaBenchmark
{
    private const string Document = """
        events:
          com.example.order.created:
            type: object
            additionalProperties: false
            required: [orderId, customer, amount]
            properties:
              orderId: { type: string, minLength: 1 }
              customer: { type: string }
              amount: { type: integer, minimum: 0 }
              note: { type: string, deprecated: true }
        """;

    // About Workload.RecordSize bytes of JSON data, valid under Document.
    private static readonly ByteString Data = ByteString.CopyFromUtf8("""{"orderId":"order-000000000042","customer":"customer-000000000007","amount":12345}""");

    public static async Task RunAsync(BenchHosts hosts, Workload workload, BenchResults results)
    {
        var folder = Directory.CreateTempSubdirectory("liiklus-bench-schema-");
        try
        {
            var document = Path.Combine(folder.FullName, "events.yml");
            await File.WriteAllTextAsync(document, Document);
            await using var plain = await hosts.StartGatewayAsync("");
            await using var validating = await hosts.StartGatewayAsync($"""
                liiklus.schema.enabled = true
                liiklus.schema.schema-url = "{new Uri(document).AbsoluteUri}"
                """);

            var off = new Side(plain.Client);
            var on = new Side(validating.Client);
            var warmUpTurn = TimeSpan.FromMilliseconds(500);
            await Interleaved.WarmUpAsync(
                workload.WarmUp > warmUpTurn ? workload.WarmUp : warmUpTurn,
                () => off.RunAsync(workload.PublishCallers, warmUpTurn, measured: false),
                () => on.RunAsync(workload.PublishCallers, warmUpTurn, measured: false));
            for (var round = 0; round < workload.Rounds; round++)
            {
                // Turns alternate which side goes first, so neither always follows the other's garbage.
                foreach (var side in round % 2 == 0 ? new[] { off, on } : [on, off])
                {
                    await side.RunAsync(workload.PublishCallers, workload.PublishDuration, measured: true);
                }
            }

            results.Figure("publish_schema.validated_calls_per_s", on.BestRate);
            results.Figure("publish_schema.not_validated_calls_per_s", off.BestRate);
            results.Figure("publish_schema.validated_cpu_us_per_call", on.CpuMicrosPerCall);
            results.Figure("publish_schema.not_validated_cpu_us_per_call", off.CpuMicrosPerCall);
            results.Ratio("publish_schema", on.BestRate / off.BestRate);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>One gateway's callers: best rate over the measured runs and the process's CPU time per call.</summary>
    private sealed class Side(LiiklusService.LiiklusServiceClient client)
    {
        private TimeSpan _cpu;
        private long _calls;

        public double BestRate { get; private set; }

        public double CpuMicrosPerCall => _calls == 0 ? 0 : _cpu.TotalMicroseconds / _calls;

        public async Task<double> RunAsync(int callers, TimeSpan duration, bool measured)
        {
            var request = new PublishRequest
            {
                Topic = $"publish-schema-{Guid.NewGuid():N}",
                LiiklusEvent = new LiiklusEvent
                {
                    Id = "evt-1",
                    Type = "com.example.order.created",
                    Source = "/bench",
                    DataContentType = "application/json",
                    Data = Data,
                },
            };
            long calls = 0;
            var cpuBefore = ProcessorTime();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    await client.PublishAsync(request);
                    Interlocked.Increment(ref calls);
                }
            })));
            var rate = calls / clock.Elapsed.TotalSeconds;
            if (measured)
            {
                _cpu += ProcessorTime() - cpuBefore;
                _calls += calls;
                BestRate = Math.Max(BestRate, rate);
            }

            return rate;
        }

        private static TimeSpan ProcessorTime()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }
}
