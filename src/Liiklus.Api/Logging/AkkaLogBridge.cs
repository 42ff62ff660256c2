using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Liiklus.Api.Logging;

/// <summary>
/// Akka's log events through the host's <see cref="ILogger"/>s: one line with the host's own prefix (not Akka's inside
/// it), the logging class as the category, and the message template's named values and the actor path as structured
/// fields, so JSON output carries them.
/// </summary>
public sealed class AkkaLogBridge : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new();

    public AkkaLogBridge()
    {
        var setup = Context.System.Settings.Setup.Get<LoggerFactorySetup>();
        _factory = setup.HasValue
            ? setup.Value.LoggerFactory
            : throw new InvalidOperationException("the actor system has no LoggerFactorySetup for its logs to go to");
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                Log(logEvent);
                return true;
            default:
                return false;
        }
    }

    private void Log(LogEvent logEvent)
    {
        // A logger made from a string (Logging.GetLogger(system, "remoting")) has a placeholder class: its source names it.
        var category = logEvent.LogClass is null || logEvent.LogClass == typeof(DummyClassForStringSources)
            ? $"Akka.{logEvent.LogSource}"
            : logEvent.LogClass.FullName ?? "Akka";
        var logger = _loggers.GetOrAdd(category, _factory.CreateLogger);
        var level = logEvent.LogLevel() switch
        {
            AkkaLogLevel.DebugLevel => LogLevel.Debug,
            AkkaLogLevel.InfoLevel => LogLevel.Information,
            AkkaLogLevel.WarningLevel => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }

        string text;
        try
        {
            text = logEvent.Message?.ToString() ?? "";
        }
        catch (FormatException)
        {
            text = logEvent.Message is LogMessage malformed ? $"{malformed.Format} [{string.Join(", ", malformed.Unformatted())}]" : "";
        }

        var fields = new List<KeyValuePair<string, object?>>();
        if (logEvent.TryGetProperties(out var properties) && properties is not null)
        {
            fields.AddRange(properties.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)));
        }

        fields.Add(new KeyValuePair<string, object?>("ActorPath", logEvent.LogSource));
        fields.Add(new KeyValuePair<string, object?>("{OriginalFormat}", logEvent.Message is LogMessage template ? template.Format : text));
        logger.Log(level, default, new AkkaLogState(fields, text), logEvent.Cause, (state, _) => state.ToString());
    }
}
