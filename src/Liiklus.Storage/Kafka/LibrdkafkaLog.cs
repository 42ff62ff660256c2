using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Kafka;

/// <summary>
/// librdkafka's log lines and error events, as structured log entries at the level each calls for. A warning or error
/// that repeats (librdkafka reports a broker it cannot reach twice per attempt, as a FAIL line and an error event, and
/// retries every few seconds) is written once; while it goes on, one line per report interval gives its count, and
/// once it has not been seen for an interval, one line says it cleared. A different error is written at once.
/// </summary>
public sealed partial class LibrdkafkaLog
{
    private static readonly TimeSpan DefaultReportInterval = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger;
    private readonly TimeSpan _reportInterval;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Episode> _episodes = [];
    private ITimer? _reporting;

    internal LibrdkafkaLog(ILogger logger, TimeSpan reportInterval, TimeProvider time)
    {
        _logger = logger;
        _reportInterval = reportInterval;
        _time = time;
    }

    /// <summary>How many repeating warnings and errors were seen, written or not.</summary>
    internal int Seen { get; private set; }

    public static Action<LogMessage> To(ILogger logger) => new LibrdkafkaLog(logger, DefaultReportInterval, TimeProvider.System).Write;

    /// <summary>
    /// Every client gets the one set of operator properties, so each warns about the properties of the other kind
    /// ("... is a consumer property and will be ignored by this producer instance"): expected, hence dropped.
    /// </summary>
    public static Action<LogMessage> WithoutScopeNotices(Action<LogMessage> log) => message =>
    {
        if (!(message.Facility == "CONFWARN" && message.Message.Contains("will be ignored by this", StringComparison.Ordinal)))
        {
            log(message);
        }
    };

    internal void Write(LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        if (level < LogLevel.Warning)
        {
            _logger.Log(level, "[{Client}] {Facility}: {Message}", message.Name, message.Facility, message.Message);
            return;
        }

        var error = Normalized(message.Message);
        lock (_episodes)
        {
            Seen++;
            if (_episodes.TryGetValue(error, out var episode))
            {
                episode.Count++;
                episode.LastSeen = _time.GetTimestamp();
                return;
            }

            _episodes.Add(error, new Episode(level, message.Name, message.Facility, _time.GetTimestamp()));
            // Only while an error goes on: a storage whose clients are quiet holds no timer.
            _reporting ??= _time.CreateTimer(_ => Report(), null, _reportInterval, _reportInterval);
        }

        _logger.Log(level, "[{Client}] {Facility}: {Message}", message.Name, message.Facility, message.Message);
    }

    private void Report()
    {
        List<(string Error, Episode Episode, bool Cleared, int Repeats)> reports = [];
        lock (_episodes)
        {
            foreach (var (error, episode) in _episodes.ToArray())
            {
                var cleared = _time.GetElapsedTime(episode.LastSeen) >= _reportInterval;
                if (cleared)
                {
                    _episodes.Remove(error);
                }

                if (cleared || episode.Count > episode.Reported)
                {
                    reports.Add((error, episode, cleared, episode.Count - episode.Reported));
                    episode.Reported = episode.Count;
                }
            }

            if (_episodes.Count == 0)
            {
                _reporting?.Dispose();
                _reporting = null;
            }
        }

        foreach (var (error, episode, cleared, repeats) in reports)
        {
            if (cleared)
            {
                _logger.LogInformation(
                    "[{Client}] {Facility} cleared, seen {ErrorCount} times over {ErrorDuration}: {Message}",
                    episode.Client,
                    episode.Facility,
                    episode.Count,
                    _time.GetElapsedTime(episode.Started, episode.LastSeen),
                    error);
            }
            else
            {
                _logger.Log(
                    episode.Level,
                    "[{Client}] {Facility} repeated {RepeatCount} times in the last {ReportInterval}: {Message}",
                    episode.Client,
                    episode.Facility,
                    repeats,
                    _reportInterval,
                    error);
            }
        }
    }

    /// <summary>
    /// One error as its FAIL line and its error event both say it, and as each client and partition meets it, without
    /// what changes between attempts: the thread and client prefixes, the time taken, librdkafka's own suppression
    /// count, how many brokers are down, and which partition of a topic failed.
    /// </summary>
    internal static string Normalized(string message)
    {
        var error = ThreadPrefix().Replace(message, "");
        error = ClientPrefix().Replace(error, "");
        error = BrokersDown().Replace(error, "brokers are down");
        error = Partition().Replace(error, "[[*]]");
        return AttemptDetail().Replace(error, "");
    }

    [GeneratedRegex(@"^\[thrd:[^\]]*\]: ")]
    private static partial Regex ThreadPrefix();

    [GeneratedRegex(@"^[^\s:#]+#[^\s:]+: ")]
    private static partial Regex ClientPrefix();

    [GeneratedRegex(@"\d+/\d+ brokers are down")]
    private static partial Regex BrokersDown();

    [GeneratedRegex(@"\[\[\d+\]\]")]
    private static partial Regex Partition();

    [GeneratedRegex(@" \((after \d+ms in state [A-Z_]+)?(, )?(\d+ identical error\(s\) suppressed)?\)$")]
    private static partial Regex AttemptDetail();

    private sealed class Episode(LogLevel level, string client, string facility, long started)
    {
        public LogLevel Level { get; } = level;

        public string Client { get; } = client;

        public string Facility { get; } = facility;

        public long Started { get; } = started;

        public long LastSeen { get; set; } = started;

        public int Count { get; set; } = 1;

        public int Reported { get; set; } = 1;
    }
}
