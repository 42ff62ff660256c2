using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// Specs whose outcome hangs on timing of a second or so (a store's deadline against a broker that went down) run
/// alone, after the parallel ones: a 2-core machine busy with the rest of the suite would stretch that timing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
