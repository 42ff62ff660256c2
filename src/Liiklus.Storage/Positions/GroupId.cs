using System.Text.RegularExpressions;

namespace Liiklus.Storage.Positions;

/// <summary>
/// A consumer group's identity: its name and version (0 = no version). Every version of a name shares the
/// partition assignment; each version keeps its own positions.
/// </summary>
public sealed partial record GroupId(string Name, uint Version)
{
    /// <summary>
    /// Reads the wire form: an explicit <paramref name="version"/> wins; otherwise a legacy <c>name-vN</c>
    /// group string means version N.
    /// </summary>
    public static GroupId FromWire(string group, uint version)
    {
        if (version != 0)
        {
            return new GroupId(group, version);
        }

        var legacy = LegacyVersionSuffix().Match(group);
        return legacy.Success && uint.TryParse(legacy.Groups[2].ValueSpan, out var legacyVersion)
            ? new GroupId(legacy.Groups[1].Value, legacyVersion)
            : new GroupId(group, 0);
    }

    [GeneratedRegex(@"^(.*)-v(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyVersionSuffix();
}
