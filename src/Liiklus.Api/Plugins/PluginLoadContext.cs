using System.Reflection;
using System.Runtime.Loader;
using Liiklus.Plugins;

namespace Liiklus.Api.Plugins;

/// <summary>
/// One plugin's own load context: its dependencies come from its own folder (through its <c>.deps.json</c> when it
/// has one), so two plugins may use different versions of a library. The contract assembly is the exception.
/// </summary>
public sealed class PluginLoadContext(string pluginPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(pluginPath))
{
    private static readonly string ContractName = typeof(IRecordPreProcessor).Assembly.GetName().Name!;
    private readonly AssemblyDependencyResolver _resolver = new(pluginPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The plugin's types must implement the gateway's own interfaces: a second copy of the contract would make
        // them different types. Falling back to the default context shares it (and the framework).
        if (assemblyName.Name == ContractName)
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
