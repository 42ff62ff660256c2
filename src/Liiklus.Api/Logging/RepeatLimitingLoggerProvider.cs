using Microsoft.Extensions.Logging;

namespace Liiklus.Api.Logging;

/// <summary>
/// The console, with repeating lines limited: a failure that logs thousands of times a second writes a few lines and a
/// count, not gigabytes. It keeps the console's alias, so <c>Logging:Console</c> settings still apply.
/// </summary>
[ProviderAlias("Console")]
internal sealed class RepeatLimitingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ILoggerProvider _inner;
    private readonly RepeatWindows _windows;
    private readonly ITimer _closing;

    public RepeatLimitingLoggerProvider(ILoggerProvider inner, RepeatLimits limits, TimeProvider time)
    {
        _inner = inner;
        _windows = new RepeatWindows(limits, time);
        _closing = time.CreateTimer(_ => _windows.Close(), null, limits.Interval, limits.Interval);
    }

    public ILogger CreateLogger(string categoryName) => new RepeatLimitingLogger(categoryName, _inner.CreateLogger(categoryName), _windows);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (_inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose()
    {
        _closing.Dispose();
        // What was left out before a shutdown is still reported.
        _windows.Close(all: true);
        _inner.Dispose();
    }
}
