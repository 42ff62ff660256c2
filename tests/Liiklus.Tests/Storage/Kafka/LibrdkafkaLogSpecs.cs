using Confluent.Kafka;
using Liiklus.Storage.Kafka;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Liiklus.Tests.Storage.Kafka;

/// <summary>A broker outage writes each of librdkafka's errors once, with a count while it lasts and a line when it clears.</summary>
public sealed class LibrdkafkaLogSpecs
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    // As librdkafka reports one failed connection: a FAIL log line, then an error event; later attempts say how long
    // they took and how many identical errors librdkafka itself suppressed.
    private static readonly LogMessage Fail = new(
        "rdkafka#producer-1", SyslogLevel.Warning, "FAIL",
        "[thrd:127.0.0.1:9092/bootstrap]: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 0ms in state CONNECT)");

    private static readonly LogMessage ErrorEvent = new(
        "producer", SyslogLevel.Warning, "ERROR",
        "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused (after 1ms in state CONNECT, 4 identical error(s) suppressed)");

    [Fact]
    public void A_repeating_error_is_written_once_counted_while_it_lasts_and_reported_cleared_once_it_stops()
    {
        var (lines, time, log) = Log();

        for (var attempt = 0; attempt < 50; attempt++)
        {
            log.Write(Fail);
            log.Write(ErrorEvent);
        }

        var first = Assert.Single(lines.Lines);
        Assert.Equal(LogLevel.Warning, first.Level);
        Assert.Contains("Connect to ipv4#127.0.0.1:9092 failed: Connection refused", first.Line);

        // Still failing halfway through the interval: at its end, a count instead of a clear.
        time.Advance(Interval / 2);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            log.Write(Fail);
            log.Write(ErrorEvent);
        }

        time.Advance(Interval / 2);
        Assert.Equal(
            "[rdkafka#producer-1] FAIL repeated 119 times in the last 00:00:30: 127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused",
            lines.Lines[1].Line);

        time.Advance(Interval);
        Assert.Equal(3, lines.Lines.Count);
        Assert.Equal(LogLevel.Information, lines.Lines[2].Level);
        Assert.StartsWith("[rdkafka#producer-1] FAIL cleared, seen 120 times over 00:00:15", lines.Lines[2].Line);

        // Quiet now: nothing more is reported.
        time.Advance(Interval * 3);
        Assert.Equal(3, lines.Lines.Count);
    }

    [Fact]
    public void A_different_error_is_written_at_once_and_lines_below_warning_are_written_as_they_come()
    {
        var (lines, _, log) = Log();

        log.Write(Fail);
        log.Write(new LogMessage("rdkafka#producer-1", SyslogLevel.Error, "ERROR", "1/1 brokers are down"));
        log.Write(new LogMessage("rdkafka#producer-1", SyslogLevel.Info, "CONNECT", "connecting"));
        log.Write(new LogMessage("rdkafka#producer-1", SyslogLevel.Info, "CONNECT", "connecting"));

        Assert.Equal(4, lines.Lines.Count);
        Assert.Equal(LogLevel.Error, lines.Lines[1].Level);
    }

    [Fact]
    public async Task A_producer_that_cannot_reach_its_broker_writes_its_connection_error_once()
    {
        var lines = new CapturingLoggerProvider();
        var log = new LibrdkafkaLog(lines.CreateLogger("Kafka"), TimeSpan.FromHours(1), TimeProvider.System);
        var config = new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{GatewayProcess.FreePort()}",
            ReconnectBackoffMs = 10,
            ReconnectBackoffMaxMs = 50,
        };
        using var producer = new ProducerBuilder<Null, string>(config)
            .SetLogHandler((_, message) => log.Write(message))
            .SetErrorHandler((_, error) => log.Write(new LogMessage("producer", SyslogLevel.Warning, "ERROR", error.ToString())))
            .Build();

        await Eventually.Until(() => Task.FromResult(log.Seen), seen => seen >= 20, "librdkafka's repeated connection failures");

        Assert.Single(lines.Lines, l => l.Line.Contains("Connection refused", StringComparison.Ordinal));
    }

    [Fact]
    public void Notices_that_a_property_belongs_to_the_other_kind_of_client_are_dropped_and_other_config_warnings_kept()
    {
        var (lines, _, log) = Log();
        var write = LibrdkafkaLog.WithoutScopeNotices(log.Write);

        write(new LogMessage("liiklus-gateway-positions#producer-24", SyslogLevel.Warning, "CONFWARN",
            "[thrd:app]: Configuration property fetch.wait.max.ms is a consumer property and will be ignored by this producer instance"));
        write(new LogMessage("liiklus-gateway-positions#producer-24", SyslogLevel.Warning, "CONFWARN",
            "[thrd:app]: Configuration property ssl.endpoint.identification.algorithm is deprecated"));

        var kept = Assert.Single(lines.Lines);
        Assert.Contains("deprecated", kept.Line);
    }

    private static (CapturingLoggerProvider Lines, FakeTimeProvider Time, LibrdkafkaLog Log) Log()
    {
        var lines = new CapturingLoggerProvider();
        var time = new FakeTimeProvider();
        return (lines, time, new LibrdkafkaLog(lines.CreateLogger("Kafka"), Interval, time));
    }
}
