using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// Specs that turn tracing on run alone: ActivitySources are process-wide, so a gateway whose tracer listens would also
/// trace (and add trace context to the events of) any other gateway running in the process at the time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "tracing";
}
