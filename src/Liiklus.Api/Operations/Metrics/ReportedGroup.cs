using Liiklus.Actors.Telemetry;
using Liiklus.Storage.Positions;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// A (topic, group name) as the positions and lag gauges report it: its stored versions with their positions,
/// and the versions that joined its coordinator on this node without having acked anything (no positions).
/// </summary>
/// <param name="LatestVersion">the highest version with positions (Liiklus's isLatest); null when none has any</param>
internal sealed record ReportedGroup(
    string Topic,
    string GroupName,
    IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>> Versions,
    uint? LatestVersion)
{
    private static readonly IReadOnlyDictionary<int, long> NoPositions = new Dictionary<int, long>();
    private static readonly IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>> NoVersions =
        new Dictionary<uint, IReadOnlyDictionary<int, long>>();

    /// <summary>Both lists merged, ordered by topic then group name (ordinal), versions lowest first.</summary>
    public static IEnumerable<ReportedGroup> Of(IReadOnlyList<StoredGroup> stored, IReadOnlyList<CoordinatedGroup> coordinated)
    {
        var groups = new Dictionary<(string Topic, string Name), ReportedGroup>();
        foreach (var group in stored)
        {
            groups[(group.Topic, group.GroupName)] = new ReportedGroup(group.Topic, group.GroupName, group.Versions, group.LatestVersion);
        }

        foreach (var group in coordinated)
        {
            var known = groups.GetValueOrDefault((group.Topic, group.GroupName));
            if (known is not null && group.Versions.All(known.Versions.ContainsKey))
            {
                continue;
            }

            var versions = new SortedDictionary<uint, IReadOnlyDictionary<int, long>>();
            foreach (var (version, positions) in known?.Versions ?? NoVersions)
            {
                versions[version] = positions;
            }

            foreach (var version in group.Versions)
            {
                versions.TryAdd(version, NoPositions);
            }

            groups[(group.Topic, group.GroupName)] = new ReportedGroup(group.Topic, group.GroupName, versions, known?.LatestVersion);
        }

        return groups.Values
            .OrderBy(group => group.Topic, StringComparer.Ordinal)
            .ThenBy(group => group.GroupName, StringComparer.Ordinal);
    }
}
