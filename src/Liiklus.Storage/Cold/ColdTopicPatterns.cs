namespace Liiklus.Storage.Cold;

/// <summary>The topics cold storage archives and replays (<c>cold_topics</c>): names, or prefixes ending in <c>*</c>.</summary>
public sealed class ColdTopicPatterns
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<string> _prefixes = [];

    public ColdTopicPatterns(IEnumerable<string> patterns)
    {
        foreach (var pattern in patterns.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (pattern.EndsWith('*'))
            {
                _prefixes.Add(pattern[..^1]);
            }
            else
            {
                _names.Add(pattern);
            }
        }
    }

    /// <summary>Comma-separated, as the setting holds them.</summary>
    public static ColdTopicPatterns Parse(string? patterns) => new((patterns ?? "").Split(','));

    public bool IsEmpty => _names.Count == 0 && _prefixes.Count == 0;

    public bool Matches(string topic) =>
        _names.Contains(topic) || _prefixes.Exists(prefix => topic.StartsWith(prefix, StringComparison.Ordinal));
}
