using System.Diagnostics;

namespace Liiklus.Actors.Telemetry;

/// <summary>Spans of a coordinator's work (rebalances, claims); started only while something listens.</summary>
public static class CoordinatorTracing
{
    public const string SourceName = "Liiklus.Actors";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span of its own trace: an actor's message is not part of whatever call's context the dispatcher thread may
    /// carry, so it never becomes a child of it.
    /// </summary>
    internal static Activity? Start(string operation, string topic, string groupName)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            var span = Source.StartActivity($"{operation} {topic}", ActivityKind.Internal);
            span?.SetTag("liiklus.topic", topic);
            span?.SetTag("liiklus.group", groupName);
            return span;
        }
        finally
        {
            Activity.Current = ambient;
        }
    }
}
