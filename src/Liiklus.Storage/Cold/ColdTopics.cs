using System.Text.RegularExpressions;

namespace Liiklus.Storage.Cold;

/// <summary>
/// The topics archived to the cold store (<c>cold_topics</c>): comma-separated topic names, or prefixes ending in
/// <c>*</c> (<c>orders.*</c> is every topic whose name starts with <c>orders.</c>; <c>*</c> alone is every topic).
/// </summary>
public sealed partial class ColdTopics
{
    public static readonly ColdTopics None = new([], []);

    private readonly HashSet<string> _names;
    private readonly string[] _prefixes;

    private ColdTopics(IEnumerable<string> names, IEnumerable<string> prefixes)
    {
        _names = new HashSet<string>(names, StringComparer.Ordinal);
        _prefixes = prefixes.Distinct(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyCollection<string> Names => _names;

    public IReadOnlyList<string> Prefixes => _prefixes;

    public bool IsEmpty => _names.Count == 0 && _prefixes.Length == 0;

    public bool Matches(string topic) =>
        _names.Contains(topic) || _prefixes.Any(prefix => topic.StartsWith(prefix, StringComparison.Ordinal));

    /// <exception cref="FormatException">an entry that is neither a Kafka topic name nor such a name's start followed by <c>*</c>, named in the message</exception>
    public static ColdTopics Parse(string list)
    {
        var (names, prefixes) = (new List<string>(), new List<string>());
        foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var isPrefix = entry.EndsWith('*');
            var name = isPrefix ? entry[..^1] : entry;
            if ((name.Length == 0 && !isPrefix) || name.Length > 249 || !TopicCharacters().IsMatch(name))
            {
                throw new FormatException(
                    $"'{entry}' is neither a topic name (up to 249 letters, digits, '.', '_' or '-') nor one's start followed by a final '*'");
            }

            (isPrefix ? prefixes : names).Add(name);
        }

        return new ColdTopics(names, prefixes);
    }

    public override string ToString() => string.Join(',', _names.Order(StringComparer.Ordinal).Concat(_prefixes.Select(prefix => prefix + "*")));

    [GeneratedRegex("^[A-Za-z0-9._-]*$")]
    private static partial Regex TopicCharacters();
}
