using System.Reflection;
using Liiklus.Plugins;

namespace Liiklus.Api.Plugins;

/// <summary>
/// Finds the plugin assemblies in the plugins folder and creates their processors, each assembly in its own
/// <see cref="PluginLoadContext"/>. A plugin is <c>Name.dll</c> directly in the folder, or <c>Name/Name.dll</c> in a
/// subfolder holding it with its dependencies (a build or publish output). Every public concrete type implementing
/// <see cref="IRecordPreProcessor"/> or <see cref="IRecordPostProcessor"/> is created once, with its public
/// parameterless constructor.
/// </summary>
public static class PluginLoader
{
    /// <summary>
    /// The processors of every plugin; none when no folder was configured and the default one is absent. A relative
    /// folder is taken from the working directory.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// a configured folder is missing, or a plugin cannot be loaded, has no processor or cannot create one
    /// </exception>
    public static PluginFolder Load(PluginSettings settings)
    {
        var directory = Path.GetFullPath(settings.Directory ?? PluginSettings.DefaultDirectory);
        if (!Directory.Exists(directory))
        {
            return settings.Directory is null
                ? new PluginFolder(directory, Exists: false, [], [])
                : throw new InvalidOperationException($"plugins_dir '{directory}' does not exist");
        }

        var assemblies = PluginAssemblies(directory).ToList();
        return new PluginFolder(directory, Exists: true, assemblies, [.. assemblies.SelectMany(LoadProcessors)]);
    }

    private static IEnumerable<string> PluginAssemblies(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*.dll");
        var folders = Directory.EnumerateDirectories(directory)
            .Select(folder => Path.Combine(folder, Path.GetFileName(folder) + ".dll"))
            .Where(File.Exists);
        return files.Concat(folders).Order(StringComparer.Ordinal);
    }

    private static List<object> LoadProcessors(string path)
    {
        Type[] types;
        try
        {
            types = new PluginLoadContext(path).LoadFromAssemblyPath(path).GetExportedTypes();
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException or ReflectionTypeLoadException)
        {
            throw new InvalidOperationException($"plugins_dir: '{path}' cannot be loaded: {e.GetType().Name}: {e.Message}", e);
        }

        var processors = types
            .Where(type => type is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false })
            .Where(type => typeof(IRecordPreProcessor).IsAssignableFrom(type) || typeof(IRecordPostProcessor).IsAssignableFrom(type))
            .Select(type => Create(type, path))
            .ToList();
        return processors.Count > 0
            ? processors
            : throw new InvalidOperationException(
                $"plugins_dir: '{path}' defines no public {nameof(IRecordPreProcessor)} or {nameof(IRecordPostProcessor)} " +
                "(a plugin's dependencies go in a folder of its own: plugins/Name/Name.dll)");
    }

    private static object Create(Type type, string path)
    {
        if (type.GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            throw new InvalidOperationException($"plugins_dir: {type.FullName} in '{path}' has no public parameterless constructor");
        }

        try
        {
            return constructor.Invoke(null);
        }
        catch (TargetInvocationException e)
        {
            throw new InvalidOperationException(
                $"plugins_dir: {type.FullName} in '{path}' failed to start: {e.InnerException?.GetType().Name}: {e.InnerException?.Message}", e);
        }
    }
}
