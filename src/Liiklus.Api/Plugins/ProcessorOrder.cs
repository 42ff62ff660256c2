namespace Liiklus.Api.Plugins;

/// <summary>
/// The order processors run in, as Liiklus's <c>layers.orders</c>: by configured order (0 unless named), then by
/// type name, so the order never depends on how assemblies happened to be found.
/// </summary>
public static class ProcessorOrder
{
    public static string NameOf(object processor) => processor.GetType().FullName ?? processor.GetType().Name;

    public static IReadOnlyList<T> Sort<T>(IEnumerable<T> processors, IReadOnlyDictionary<string, int> orders)
        where T : notnull =>
        processors
            .OrderBy(p => orders.GetValueOrDefault(NameOf(p)))
            .ThenBy(p => NameOf(p), StringComparer.Ordinal)
            .ToList();
}
