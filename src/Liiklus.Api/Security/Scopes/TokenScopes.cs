namespace Liiklus.Api.Security.Scopes;

/// <summary>
/// The rights a token's <c>scope</c> claim grants (OAuth 2.0: space-separated): <c>liiklus:publish:&lt;topic&gt;</c>,
/// <c>liiklus:consume:&lt;topic&gt;</c>, <c>liiklus:admin:&lt;topic&gt;</c> (the admin API's resets and deletions of the
/// topic's groups) and <c>liiklus:group:&lt;group&gt;</c>. A pattern ending in <c>*</c> matches
/// every name it is a prefix of. Group scopes restrict: a token without any may use every group name, a token with
/// some only the names they match. Other scopes are another service's business and ignored.
/// </summary>
public sealed class TokenScopes
{
    private readonly List<string> _publish = [];
    private readonly List<string> _consume = [];
    private readonly List<string> _groups = [];
    private readonly List<string> _admin = [];

    public static readonly TokenScopes None = new([]);

    public TokenScopes(IEnumerable<string> scopes)
    {
        foreach (var scope in scopes)
        {
            if (!scope.StartsWith(Right.ScopePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = scope.AsSpan(Right.ScopePrefix.Length);
            var colon = rest.IndexOf(':');
            if (colon <= 0 || colon == rest.Length - 1)
            {
                continue;
            }

            var pattern = rest[(colon + 1)..].ToString();
            switch (rest[..colon])
            {
                case "publish":
                    _publish.Add(pattern);
                    break;
                case "consume":
                    _consume.Add(pattern);
                    break;
                case "group":
                    _groups.Add(pattern);
                    break;
                case "admin":
                    _admin.Add(pattern);
                    break;
            }
        }
    }

    /// <summary>Reads a scope claim's values, each possibly several space-separated scopes.</summary>
    public static TokenScopes From(IEnumerable<string> claimValues) =>
        new(claimValues.SelectMany(value => value.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    public bool Grants(Right right) => right.Kind switch
    {
        RightKind.Publish => _publish.Any(pattern => Matches(pattern, right.Name)),
        RightKind.Consume => _consume.Any(pattern => Matches(pattern, right.Name)),
        RightKind.Group => _groups.Count == 0 || _groups.Any(pattern => Matches(pattern, right.Name)),
        RightKind.Admin => _admin.Any(pattern => Matches(pattern, right.Name)),
        _ => false,
    };

    /// <summary>The first of <paramref name="rights"/> this token does not grant, if any.</summary>
    public Right? FirstMissing(IEnumerable<Right> rights) => rights.FirstOrDefault(right => !Grants(right));

    private static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*')
            ? name.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : string.Equals(pattern, name, StringComparison.Ordinal);
}
