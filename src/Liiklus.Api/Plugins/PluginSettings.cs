using Akka.Configuration.Hocon;
using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Plugins;

/// <summary>
/// <c>liiklus.plugins</c>: where record processor plugins are loaded from (<c>plugins_dir</c>) and the order
/// processors run in.
/// </summary>
/// <param name="Directory">the plugins folder; null when none was configured (then <see cref="DefaultDirectory"/> is used if it exists)</param>
/// <param name="Orders">processor type name → order; unnamed processors have 0, ties go by name</param>
public sealed record PluginSettings(string? Directory, IReadOnlyDictionary<string, int> Orders)
{
    /// <summary>Liiklus's default: <c>plugins</c> in the working directory.</summary>
    public const string DefaultDirectory = "plugins";

    public static readonly PluginSettings None = new(null, new Dictionary<string, int>());

    /// <exception cref="InvalidOperationException">an order is not an integer</exception>
    public static PluginSettings From(Config config)
    {
        var plugins = config.GetConfig("liiklus.plugins");
        if (plugins is null)
        {
            return None;
        }

        var directory = plugins.GetString("dir", "").Trim();
        var orders = new Dictionary<string, int>(StringComparer.Ordinal);
        if (plugins.HasPath("orders"))
        {
            Flatten(plugins.GetValue("orders"), "", orders);
        }

        return new PluginSettings(directory.Length == 0 ? null : directory, orders);
    }

    /// <summary>
    /// Type names hold dots, which HOCON nests unless quoted: both spellings give the full name.
    /// </summary>
    private static void Flatten(HoconValue value, string prefix, Dictionary<string, int> into)
    {
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Flatten(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
            }

            return;
        }

        into[prefix] = int.TryParse(value.GetString(), out var order)
            ? order
            : throw new InvalidOperationException(
                $"liiklus.plugins.orders '{prefix}' = '{value.GetString()}' is not an integer; orders are whole numbers, lower runs first");
    }
}
