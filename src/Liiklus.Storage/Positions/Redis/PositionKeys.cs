using System.Globalization;
using System.Text;

namespace Liiklus.Storage.Positions.Redis;

/// <summary>
/// Liiklus's key layout: <c>liiklus:positions:{topic}:{groupName}:{version}</c> (version 0 = no version).
/// Topics and group names may hold ':' and glob characters, so a version is read from a key only when the key
/// is exactly the expected prefix followed by a canonical decimal number.
/// </summary>
public static class PositionKeys
{
    public const string Prefix = "liiklus:positions:";

    public static string Of(string topic, GroupId group) =>
        VersionsPrefix(topic, group.Name) + group.Version.ToString(CultureInfo.InvariantCulture);

    /// <summary>What every version's key of the group name starts with.</summary>
    public static string VersionsPrefix(string topic, string groupName) => $"{Prefix}{topic}:{groupName}:";

    /// <summary>A SCAN MATCH pattern for every key that starts with <paramref name="literalPrefix"/>.</summary>
    public static string ScanPattern(string literalPrefix)
    {
        var pattern = new StringBuilder(literalPrefix.Length + 8);
        foreach (var c in literalPrefix)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.Append('*').ToString();
    }

    /// <summary>
    /// The version in <paramref name="key"/> when it is <paramref name="versionsPrefix"/> + a version; false for
    /// keys of other names that merely share the prefix (group "g" must not read "g:x:1").
    /// </summary>
    public static bool TryParseVersion(string versionsPrefix, string key, out uint version)
    {
        version = 0;
        if (!key.StartsWith(versionsPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = key.AsSpan(versionsPrefix.Length);
        // Canonical only: "01" is not a key Liiklus or this storage writes, and reading it would merge two keys.
        var canonical = suffix is "0" || (suffix.Length > 0 && suffix[0] is >= '1' and <= '9');
        return canonical && uint.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    /// <summary>
    /// The topic and group version of any key under <see cref="Prefix"/>: the topic up to the first ':' (topic names
    /// the gateway accepts have none), the version after the last one (canonical, as in
    /// <see cref="TryParseVersion"/>), the group name between them (it may hold ':').
    /// </summary>
    public static bool TryParse(string key, out string topic, out GroupId group)
    {
        topic = "";
        group = new GroupId("", 0);
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var topicEnd = key.IndexOf(':', Prefix.Length);
        var versionStart = key.LastIndexOf(':') + 1;
        if (topicEnd < 0 || versionStart <= topicEnd + 1)
        {
            return false;
        }

        var versionsPrefix = key[..versionStart];
        if (!TryParseVersion(versionsPrefix, key, out var version))
        {
            return false;
        }

        topic = key[Prefix.Length..topicEnd];
        group = new GroupId(key[(topicEnd + 1)..(versionStart - 1)], version);
        return true;
    }
}
