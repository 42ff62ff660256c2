using Microsoft.Extensions.Logging;

namespace Liiklus.Api.Logging;

/// <summary>A category's logger that writes a repeating line only as often as <see cref="RepeatWindows"/> admits it.</summary>
internal sealed class RepeatLimitingLogger(string category, ILogger inner, RepeatWindows windows) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // The line as written, so lines differing only in their values are different lines.
        if (inner.IsEnabled(logLevel) && windows.Admit(category, logLevel, formatter(state, exception), inner))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
