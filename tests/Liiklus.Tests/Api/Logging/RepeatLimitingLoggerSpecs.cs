using Liiklus.Api.Logging;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Liiklus.Tests.Api.Logging;

/// <summary>A line repeating without end writes a few lines and a count, never a flood.</summary>
public sealed class RepeatLimitingLoggerSpecs
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_line_repeated_past_its_burst_is_counted_and_the_count_written_when_its_interval_ends()
    {
        var (console, time, logger) = Limited(burst: 3);

        for (var i = 0; i < 10_000; i++)
        {
            logger.LogWarning("No transport is loaded for protocol: [{Protocol}]", "akka.ssl.tcp");
        }

        Assert.Equal(3, console.Lines.Count);
        Assert.All(console.Lines, l => Assert.Equal("No transport is loaded for protocol: [akka.ssl.tcp]", l.Line));

        time.Advance(Interval);

        var count = Assert.Single(console.Lines.Skip(3));
        Assert.Equal(LogLevel.Warning, count.Level);
        Assert.Equal("Tests.Remoting", count.Category);
        Assert.Equal("Repeated 9997 more times within 00:00:10: No transport is loaded for protocol: [akka.ssl.tcp]", count.Line);
    }

    [Fact]
    public void A_line_still_repeating_writes_its_burst_and_one_count_each_interval()
    {
        var (console, time, logger) = Limited(burst: 2);

        for (var interval = 0; interval < 3; interval++)
        {
            for (var i = 0; i < 100; i++)
            {
                logger.LogError("Connection refused");
            }

            time.Advance(Interval);
        }

        Assert.Equal(9, console.Lines.Count);
        Assert.Equal(3, console.Lines.Count(l => l.Line == "Repeated 98 more times within 00:00:10: Connection refused"));
    }

    [Fact]
    public void Different_lines_levels_and_categories_are_limited_apart_and_lines_within_the_burst_write_no_count()
    {
        var (console, time, logger, provider) = LimitedWithProvider(burst: 2);
        var other = provider.CreateLogger("Tests.Other");

        logger.LogWarning("Receive stream of topic {Topic} partition {Partition} failed", "t", 1);
        logger.LogWarning("Receive stream of topic {Topic} partition {Partition} failed", "t", 2);
        logger.LogWarning("Receive stream of topic {Topic} partition {Partition} failed", "t", 3);
        logger.LogError("Receive stream of topic {Topic} partition {Partition} failed", "t", 1);
        other.LogWarning("Receive stream of topic {Topic} partition {Partition} failed", "t", 1);
        logger.LogWarning("Receive stream of topic {Topic} partition {Partition} failed", "t", 1);
        time.Advance(Interval);

        Assert.Equal(6, console.Lines.Count);
        Assert.DoesNotContain(console.Lines, l => l.Line.StartsWith("Repeated", StringComparison.Ordinal));
    }

    [Fact]
    public void Repeats_left_out_before_a_shutdown_are_still_counted()
    {
        var (console, _, logger, provider) = LimitedWithProvider(burst: 1);

        logger.LogWarning("Kafka is down");
        logger.LogWarning("Kafka is down");
        provider.Dispose();

        Assert.Equal(["Kafka is down", "Repeated 1 more times within 00:00:10: Kafka is down"], console.Lines.Select(l => l.Line));
    }

    [Fact]
    public async Task The_gateway_writes_its_console_through_the_repeat_limit_unless_burst_is_zero()
    {
        await using (var limited = await TestGateway.StartAsync())
        {
            var providers = limited.Services.GetServices<ILoggerProvider>().ToList();
            Assert.Contains(providers, p => p is RepeatLimitingLoggerProvider);
            Assert.DoesNotContain(providers, p => p is ConsoleLoggerProvider);
        }

        await using var unlimited = await TestGateway.StartAsync("liiklus.logging.repeats.burst = 0");
        Assert.Contains(unlimited.Services.GetServices<ILoggerProvider>(), p => p is ConsoleLoggerProvider);
        Assert.DoesNotContain(unlimited.Services.GetServices<ILoggerProvider>(), p => p is RepeatLimitingLoggerProvider);
    }

    private static (CapturingLoggerProvider Console, FakeTimeProvider Time, ILogger Logger) Limited(int burst)
    {
        var (console, time, logger, _) = LimitedWithProvider(burst);
        return (console, time, logger);
    }

    private static (CapturingLoggerProvider Console, FakeTimeProvider Time, ILogger Logger, RepeatLimitingLoggerProvider Provider) LimitedWithProvider(int burst)
    {
        var console = new CapturingLoggerProvider();
        var time = new FakeTimeProvider();
        var provider = new RepeatLimitingLoggerProvider(console, new RepeatLimits(burst, Interval), time);
        return (console, time, provider.CreateLogger("Tests.Remoting"), provider);
    }
}
