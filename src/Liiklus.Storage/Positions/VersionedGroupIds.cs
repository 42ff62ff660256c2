using System.Globalization;

namespace Liiklus.Storage.Positions;

/// <summary>
/// Liiklus's string form of a group version, as its DynamoDB layout keys items and as Kafka consumer groups are
/// named here: the group name for version 0, <c>name-vN</c> for version N. A name that itself ends in <c>-v</c>
/// and digits reads as another name's version; Liiklus has the same limit.
/// </summary>
public static class VersionedGroupIds
{
    public const string VersionSeparator = "-v";

    public static string Of(GroupId group) =>
        group.Version == 0 ? group.Name : $"{group.Name}{VersionSeparator}{group.Version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The version <paramref name="groupId"/> stands for when it is exactly <paramref name="groupName"/> or
    /// <c>groupName-vN</c> with N a canonical positive number (Liiklus writes no other form); false for keys of
    /// other names that merely share the prefix (group "g" must not read "g-other" or "gg").
    /// </summary>
    public static bool TryParseVersion(string groupName, string groupId, out uint version)
    {
        version = 0;
        if (!groupId.StartsWith(groupName, StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = groupId.AsSpan(groupName.Length);
        if (suffix.IsEmpty)
        {
            return true;
        }

        if (!suffix.StartsWith(VersionSeparator, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = suffix[VersionSeparator.Length..];
        return digits.Length > 0
            && digits[0] is >= '1' and <= '9'
            && uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    /// <summary>
    /// The group version a stored group id stands for: <c>name-vN</c> with N a canonical positive number is version
    /// N of <c>name</c>, anything else version 0 of the whole id.
    /// </summary>
    public static GroupId Parse(string groupId)
    {
        var separator = groupId.LastIndexOf(VersionSeparator, StringComparison.Ordinal);
        if (separator >= 0)
        {
            var name = groupId[..separator];
            if (TryParseVersion(name, groupId, out var version) && version > 0)
            {
                return new GroupId(name, version);
            }
        }

        return new GroupId(groupId, 0);
    }
}
