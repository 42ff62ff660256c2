namespace Liiklus.Tests.Deploy;

/// <summary>A node of a parsed YAML document (maps, lists and scalars as YamlDotNet gives them), read by path.</summary>
public sealed class Manifest(object? node)
{
    private object? Node => node;

    public string Kind => Scalar("kind");

    public string? Value => node as string;

    public IEnumerable<string> Keys => (node as IDictionary<object, object>)?.Keys.Select(k => k.ToString()!) ?? [];

    public bool Has(string key) => node is IDictionary<object, object> map && map.ContainsKey(key);

    public Manifest At(params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            current = current is IDictionary<object, object> map && map.TryGetValue(key, out var next)
                ? next
                : throw new KeyNotFoundException($"no {string.Join(".", path)} in {Kind}");
        }

        return new Manifest(current);
    }

    public string Scalar(params string[] path) => At(path).Value ?? throw new InvalidCastException($"{string.Join(".", path)} is not a scalar");

    public IReadOnlyList<Manifest> List(params string[] path) =>
        At(path).Node is IList<object> items ? items.Select(i => new Manifest(i)).ToList() : throw new InvalidCastException($"{string.Join(".", path)} is not a list");

    public override string ToString() => $"{node}";
}
