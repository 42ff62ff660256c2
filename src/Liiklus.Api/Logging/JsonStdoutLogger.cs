using System.Text;
using System.Text.Json;
using Akka.Event;
using AkkaLogLevel = Akka.Event.LogLevel;

namespace Liiklus.Api.Logging;

/// <summary>
/// Akka's fallback logger (<c>akka.stdout-logger-class</c>) when the logs are JSON. Akka writes to it after its own
/// loggers have stopped, during the actor system's shutdown ("Remoting shut down."); its default writes Akka's plain
/// text format, which breaks a shipper reading one JSON object per line. This writes the same shape as the host's JSON
/// console log instead.
/// </summary>
public sealed class JsonStdoutLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not LogEvent logEvent)
        {
            return;
        }

        var category = logEvent.LogClass is null || logEvent.LogClass == typeof(DummyClassForStringSources)
            ? $"Akka.{logEvent.LogSource}"
            : logEvent.LogClass.FullName ?? "Akka";
        string text;
        try
        {
            text = logEvent.Message?.ToString() ?? "";
        }
        catch (FormatException)
        {
            text = logEvent.Message is LogMessage malformed ? malformed.Format : "";
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("Timestamp", logEvent.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ"));
            json.WriteNumber("EventId", 0);
            json.WriteString("LogLevel", logEvent.LogLevel() switch
            {
                AkkaLogLevel.DebugLevel => "Debug",
                AkkaLogLevel.InfoLevel => "Information",
                AkkaLogLevel.WarningLevel => "Warning",
                _ => "Error",
            });
            json.WriteString("Category", category);
            json.WriteString("Message", text);
            json.WriteStartObject("State");
            json.WriteString("Message", text);
            json.WriteString("ActorPath", logEvent.LogSource);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        // One call per line: the console's writer is synchronized, so a line is never interleaved with another's.
        Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
