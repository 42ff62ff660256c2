using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api;

/// <summary>Gateways as processes with the default in-memory storages, which each node holds for itself.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PerNodeStorageClusterSpecs
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Nodes_with_in_memory_storages_refuse_to_form_a_cluster_of_two_with_one_line_and_exit_code_2()
    {
        var seedPort = GatewayProcess.FreePort();
        var seed = $"akka.tcp://liiklus@127.0.0.1:{seedPort}";
        var none = new Dictionary<string, string>();
        await using var first = await GatewayProcess.StartAsync(none, seedPort, seed);
        await using var second = GatewayProcess.Launch(none, GatewayProcess.FreePort(), seed);

        var exits = await Task.WhenAll(first.ExitCodeAsync(Deadline), second.ExitCodeAsync(Deadline));

        Assert.True(exits.All(code => code == 2), $"exit codes {string.Join(", ", exits)}:\n{first.Log}\n---\n{second.Log}");
        foreach (var node in new[] { first, second })
        {
            var refusals = node.Log.Split('\n').Where(line => line.Contains("cannot run in a cluster of more than one node")).ToList();
            Assert.True(refusals.Count == 1, node.Log);
            Assert.Contains("per-node storages (records MEMORY, positions MEMORY)", refusals[0]);
        }
    }
}
