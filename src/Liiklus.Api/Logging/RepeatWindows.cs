using Microsoft.Extensions.Logging;

namespace Liiklus.Api.Logging;

/// <summary>
/// The lines each category wrote in the current interval. A line past its burst is counted, not written; once its
/// interval is over, one line through the same logger says how many repeats were left out, and the line is forgotten,
/// so a line repeating without end writes at most its burst and one count per interval.
/// </summary>
internal sealed class RepeatWindows(RepeatLimits limits, TimeProvider time)
{
    // Lines kept for counting at once: past this many distinct lines in one interval, new ones are written uncounted
    // rather than held, so memory stays bounded whatever is logged.
    private const int MaxLines = 1_000;

    private readonly Dictionary<(string Category, LogLevel Level, string Line), Window> _windows = [];

    /// <summary>Whether this line is written now; false: it is counted for the end of its interval.</summary>
    public bool Admit(string category, LogLevel level, string line, ILogger writer)
    {
        lock (_windows)
        {
            if (_windows.TryGetValue((category, level, line), out var window))
            {
                if (window.Written < limits.Burst)
                {
                    window.Written++;
                    return true;
                }

                window.LeftOut++;
                return false;
            }

            if (_windows.Count < MaxLines)
            {
                _windows.Add((category, level, line), new Window(writer, time.GetTimestamp()) { Written = 1 });
            }

            return true;
        }
    }

    /// <summary>Ends the windows that lasted their interval (all of them when <paramref name="all"/>), writing their counts.</summary>
    public void Close(bool all = false)
    {
        List<(LogLevel Level, string Line, Window Window)> leftOut = [];
        lock (_windows)
        {
            foreach (var ((category, level, line), window) in _windows.ToArray())
            {
                if (all || time.GetElapsedTime(window.Started) >= limits.Interval)
                {
                    _windows.Remove((category, level, line));
                    if (window.LeftOut > 0)
                    {
                        leftOut.Add((level, line, window));
                    }
                }
            }
        }

        // Written outside the lock: the writer may be slow, and nothing here needs to wait for it.
        foreach (var (level, line, window) in leftOut)
        {
            window.Writer.Log(
                level,
                "Repeated {RepeatCount} more times within {RepeatInterval}: {RepeatedLine}",
                window.LeftOut,
                limits.Interval,
                line);
        }
    }

    private sealed class Window(ILogger writer, long started)
    {
        public ILogger Writer { get; } = writer;

        public long Started { get; } = started;

        public int Written { get; set; }

        public int LeftOut { get; set; }
    }
}
