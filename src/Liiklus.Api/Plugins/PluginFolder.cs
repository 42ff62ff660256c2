namespace Liiklus.Api.Plugins;

/// <summary>What the plugins folder held at start, for the start-up log.</summary>
/// <param name="Directory">the folder, as an absolute path</param>
/// <param name="Exists">false when the default folder is absent (a configured folder must exist)</param>
/// <param name="Assemblies">the plugin assemblies loaded from it</param>
/// <param name="Processors">the processors they define</param>
public sealed record PluginFolder(string Directory, bool Exists, IReadOnlyList<string> Assemblies, IReadOnlyList<object> Processors);
