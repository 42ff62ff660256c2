using Akka.Configuration;

namespace Liiklus.Tests.Support;

/// <summary>
/// An actor system for specs that serializes every message it delivers (Akka's serialize-messages), with the
/// gateway's own serializer bindings from hocon/akka.conf: a message of the group protocol that the explicit wire
/// format cannot carry fails the spec that sends it.
/// </summary>
public static class WireCheckedConfig
{
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
            akka.actor.provider = local
            akka.actor.serialize-messages = on
            akka.loglevel = WARNING
            akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit"]
            """)
        .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.conf"))));
}
