using System.Reflection;
using System.Runtime.Loader;
using Akka.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Api.Plugins;
using Liiklus.Plugins;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Plugins;

/// <summary>
/// Plugins as an operator installs them: the sample plugin's build output copied into a folder of the plugins
/// directory, loaded at start in a load context of its own.
/// </summary>
public sealed class SamplePluginSpecs : IDisposable
{
    private readonly string _plugins = Path.Combine(Path.GetTempPath(), $"liiklus-plugins-{Guid.NewGuid():N}");

    public SamplePluginSpecs() => Directory.CreateDirectory(_plugins);

    [Fact]
    public async Task Sample_plugin_loaded_from_a_folder_transforms_records_on_the_way_in_and_out()
    {
        InstallSamplePlugin();
        await using var gateway = await TestGateway.StartAsync($"liiklus.plugins.dir = \"{_plugins}\"");
        var topic = NewName("topic");
        var plain = await gateway.Client.PublishAsync(topic, "Hello!", key: "plain");
        var masked = await gateway.Client.PublishAsync(topic, "Hello!", key: "maskMe");

        var plainRecord = await ReceiveFirstAsync(gateway, topic, plain.Partition);
        var maskedRecord = await ReceiveFirstAsync(gateway, topic, masked.Partition, key: "maskMe");

        Assert.Equal("!olleH", plainRecord.Value.ToStringUtf8());
        Assert.Equal("maskMe", maskedRecord.Key.ToStringUtf8());
        Assert.Equal("**masked**", maskedRecord.Value.ToStringUtf8());
        var loaded = gateway.Services.GetServices<IRecordPreProcessor>().Concat<object>(gateway.Services.GetServices<IRecordPostProcessor>()).ToList();
        Assert.Equal(["Liiklus.Plugins.Sample.ReversingPreProcessor", "Liiklus.Plugins.Sample.MaskingPostProcessor"], loaded.Select(p => p.GetType().FullName));
        Assert.All(loaded, p => Assert.IsType<PluginLoadContext>(AssemblyLoadContext.GetLoadContext(p.GetType().Assembly)));
    }

    [Fact]
    public void Configured_plugins_folder_that_does_not_exist_stops_start_up()
    {
        var missing = Path.Combine(_plugins, "nowhere");

        Assert.Equal($"plugins_dir '{missing}' does not exist", StartUpError(missing));
    }

    [Fact]
    public void File_that_is_not_an_assembly_stops_start_up_naming_it()
    {
        var broken = Path.Combine(_plugins, "Broken.dll");
        File.WriteAllText(broken, "not an assembly");

        Assert.StartsWith($"plugins_dir: '{broken}' cannot be loaded: BadImageFormatException", StartUpError(_plugins));
    }

    [Fact]
    public void Assembly_without_processors_stops_start_up_naming_it()
    {
        var library = Path.Combine(_plugins, "Google.Protobuf.dll");
        File.Copy(typeof(Google.Protobuf.ByteString).Assembly.Location, library);

        Assert.StartsWith($"plugins_dir: '{library}' defines no public IRecordPreProcessor or IRecordPostProcessor", StartUpError(_plugins));
    }

    public void Dispose() => Directory.Delete(_plugins, recursive: true);

    /// <summary>The sample's build output (its project is built before the tests) as <c>plugins/Liiklus.Plugins.Sample/</c>.</summary>
    private void InstallSamplePlugin()
    {
        var assembly = typeof(SamplePluginSpecs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SamplePluginAssembly").Value!;
        var output = Path.GetDirectoryName(assembly)!;
        var folder = Directory.CreateDirectory(Path.Combine(_plugins, Path.GetFileNameWithoutExtension(assembly))).FullName;
        foreach (var file in Directory.EnumerateFiles(output))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
    }

    /// <summary>The first record of <paramref name="partition"/> (with <paramref name="key"/>, when given), read by a group of its own.</summary>
    private static async Task<ReceiveReply.Types.Record> ReceiveFirstAsync(TestGateway gateway, string topic, uint partition, string? key = null)
    {
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, partition));
        while (true)
        {
            var record = (await receive.ReadAsync(1))[0].Record;
            if (key is null || record.Key.ToStringUtf8() == key)
            {
                return record;
            }
        }
    }

    private static string StartUpError(string pluginsDir) =>
        Assert.Throws<InvalidOperationException>(() =>
            GatewayHost.Build([], ConfigurationFactory.ParseString($"liiklus.plugins.dir = \"{pluginsDir}\""))).Message;
}
