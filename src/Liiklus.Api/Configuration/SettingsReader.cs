using System.Globalization;
using System.Net;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Liiklus.Api.Configuration;

/// <summary>
/// Reads typed values from the HOCON configuration and checks their ranges. A bad value is recorded as a problem naming
/// its key, the environment variable that sets it, and what is allowed; reading goes on, so that one start-up reports
/// every problem at once (<see cref="ThrowIfAnyProblem"/>).
/// </summary>
public sealed class SettingsReader(Config config)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public int Int(string path, int min, int max)
    {
        var raw = Raw(path);
        if (raw is not null && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        return Problem(path, raw, $"a whole number from {min} to {max}", min);
    }

    /// <summary>A size in bytes: a number, or with a unit (<c>512KiB</c>, <c>1MiB</c>, <c>2GiB</c>).</summary>
    public long Bytes(string path, long min, long max)
    {
        var raw = Raw(path);
        long? value = null;
        try
        {
            value = raw is null ? null : config.GetByteSize(path);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or InvalidCastException)
        {
        }

        return value is { } bytes && bytes >= min && bytes <= max
            ? bytes
            : Problem(path, raw, $"a size from {min} to {max} bytes (a number, or with a unit such as 512KiB or 1MiB)", min);
    }

    /// <summary>A duration: a number of milliseconds, or with a unit (<c>500ms</c>, <c>10s</c>, <c>2m</c>).</summary>
    public TimeSpan Duration(string path, TimeSpan min, TimeSpan max)
    {
        var raw = Raw(path);
        TimeSpan? value = null;
        try
        {
            value = raw is null ? null : config.GetTimeSpan(path, null, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or InvalidCastException)
        {
        }

        return value is { } duration && duration >= min && duration <= max
            ? duration
            : Problem(path, raw, $"a duration from {Show(min)} to {Show(max)} (such as 500ms, 10s, 2m)", min);
    }

    public bool Bool(string path)
    {
        var raw = Raw(path);
        switch (raw?.Trim().ToLowerInvariant())
        {
            case "true" or "on" or "yes":
                return true;
            case "false" or "off" or "no":
                return false;
            default:
                return Problem(path, raw, "true or false (on or off)", false);
        }
    }

    /// <summary>One of <paramref name="allowed"/>, compared ignoring case; answered upper-cased as listed.</summary>
    public string OneOf(string path, params string[] allowed)
    {
        var raw = Raw(path);
        var match = allowed.FirstOrDefault(a => string.Equals(a, raw?.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? Problem(path, raw, $"one of {string.Join(", ", allowed)}", allowed[0]);
    }

    public string String(string path) => Raw(path) ?? "";

    public IPAddress Address(string path)
    {
        var raw = Raw(path);
        return raw is not null && IPAddress.TryParse(raw.Trim(), out var address)
            ? address
            : Problem(path, raw, "an IP address such as 0.0.0.0, 127.0.0.1 or ::", IPAddress.Any);
    }

    /// <summary>A host name or an IP address, as a node's Akka.Remote endpoint is reached by.</summary>
    public string HostName(string path)
    {
        var raw = Raw(path);
        return raw is not null && Uri.CheckHostName(raw.Trim()) != UriHostNameType.Unknown
            ? raw.Trim()
            : Problem(path, raw, "a host name or an IP address, such as node-1.internal or 10.0.0.1", "");
    }

    /// <summary>
    /// A comma-separated list of Akka.Remote addresses of the actor system <paramref name="system"/>
    /// (<c>akka.tcp://system@host:port</c>, <c>akka.ssl.tcp://</c> with cluster TLS); empty means none.
    /// </summary>
    public IReadOnlyList<string> AkkaAddresses(string path, string system)
    {
        var raw = Raw(path) ?? "";
        var addresses = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var address in addresses)
        {
            if (!Akka.Actor.Address.TryParse(address, out var parsed)
                // akka.tcp, akka.ssl.tcp, or those behind a transport adapter's scheme (akka.trttl.tcp in tests).
                || !parsed.Protocol.StartsWith("akka.", StringComparison.Ordinal)
                || parsed.System != system
                || parsed.Host is null || Uri.CheckHostName(parsed.Host) == UriHostNameType.Unknown
                || parsed.Port is not (> 0 and <= 65535))
            {
                Problem(path, address, $"comma-separated akka.tcp://{system}@host:port addresses (akka.ssl.tcp://{system}@host:port with cluster TLS)", 0);
            }
        }

        return addresses;
    }

    /// <summary>Records a problem found by a check of the caller's own (one that spans several keys, say).</summary>
    public void Reject(string path, string? value, string allowed) => Problem(path, value, allowed, 0);

    /// <exception cref="SettingsException">any value was bad</exception>
    public void ThrowIfAnyProblem()
    {
        if (_problems.Count > 0)
        {
            throw new SettingsException(_problems);
        }
    }

    /// <summary>
    /// Keys under <c>liiklus</c> that the defaults do not have (misspellings, most likely); the subtrees named in
    /// <paramref name="freeForm"/> take any key.
    /// </summary>
    public static IReadOnlyList<string> UnknownKeys(Config config, Config defaults, params string[] freeForm)
    {
        var known = new HashSet<string>(LeafPaths(defaults, "liiklus"), StringComparer.Ordinal);
        // Beside liiklus and akka, a root key (an operator's file may hold anything) is read by nothing.
        var roots = config.Root.IsObject()
            ? config.Root.GetObject().Items.Keys.Where(root => root is not ("liiklus" or "akka"))
            : [];
        return [.. LeafPaths(config, "liiklus").Where(path => !known.Contains(path) && !freeForm.Any(f => path.StartsWith(f + ".", StringComparison.Ordinal)))
            .Concat(roots).Order()];
    }

    private static IEnumerable<string> LeafPaths(Config config, string root)
    {
        if (!config.HasPath(root))
        {
            return [];
        }

        var leaves = new List<string>();
        Collect(config.GetValue(root), root, leaves);
        return leaves;
    }

    private static void Collect(HoconValue value, string path, List<string> leaves)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Collect(child, $"{path}.{key}", leaves);
            }
        }
        else
        {
            leaves.Add(path);
        }
    }

    private string? Raw(string path)
    {
        if (!config.HasPath(path))
        {
            return null;
        }

        var value = config.GetValue(path);
        return value.IsObject() || value.IsArray() ? null : value.GetString();
    }

    private T Problem<T>(string path, string? raw, string allowed, T fallback)
    {
        var variable = GatewayHocon.VariableOf(path);
        var key = variable is null ? path : $"{variable} ({path})";
        _problems.Add(raw is null ? $"{key} is missing; allowed: {allowed}" : $"{key} = '{raw}' is not allowed; allowed: {allowed}");
        return fallback;
    }

    private static string Show(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0}ms" : value.TotalSeconds < 60 ? $"{value.TotalSeconds:0.###}s" : $"{value.TotalMinutes:0.###}m";
}
