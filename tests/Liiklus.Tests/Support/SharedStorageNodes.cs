using Akka.Cluster;
using Liiklus.Api.Hosting;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Liiklus.Tests.Support;

/// <summary>
/// Gateways in this process forming one cluster over one records and one positions storage, as real nodes share
/// Kafka and Redis (so their in-memory storages may be shared, which a real node refuses).
/// </summary>
public sealed class SharedStorageNodes(IRecordsStorage records, IPositionsStorage positions, string hocon = "")
{
    /// <summary>Starts a node joining <paramref name="seed"/>, or a node of its own when null.</summary>
    public Task<TestGateway> StartAsync(string? seed) =>
        TestGateway.StartAsync(
            (seed is null ? "" : $"liiklus.cluster.seed-nodes = \"{seed}\"\n") + hocon,
            services =>
            {
                services.AddSingleton(records);
                services.AddSingleton(positions);
                services.AddSingleton(PerNodeStorages.None);
            });

    /// <summary>Starts <paramref name="count"/> nodes, the first the seed of the others, until every node sees them all Up.</summary>
    public async Task<List<TestGateway>> StartClusterAsync(int count)
    {
        var first = await StartAsync(seed: null);
        var nodes = new List<TestGateway> { first };
        nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => StartAsync(first.ClusterAddress))));
        await Eventually.Until(
            () => Task.FromResult(nodes.Min(n => Cluster.Get(n.ActorSystem).State.Members.Count(m => m.Status == MemberStatus.Up))),
            up => up == count,
            $"{count} members up on every node");
        return nodes;
    }
}
