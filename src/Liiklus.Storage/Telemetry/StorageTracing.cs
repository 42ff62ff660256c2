using System.Diagnostics;

namespace Liiklus.Storage.Telemetry;

/// <summary>Spans of storage calls; started only while something listens (an exporter is configured).</summary>
public static class StorageTracing
{
    public const string SourceName = "Liiklus.Storage";

    public static readonly ActivitySource Source = new(SourceName);
}
