using Liiklus.Api.Configuration;

namespace Liiklus.Api.Hosting;

/// <summary>
/// The configured storages that live inside one node (MEMORY records or positions): another node of the cluster
/// cannot see what they hold, so with them the node must stay a cluster of one.
/// </summary>
/// <param name="Storages">e.g. "records MEMORY", "positions MEMORY"; empty when every storage is shared</param>
public sealed record PerNodeStorages(IReadOnlyList<string> Storages)
{
    /// <summary>
    /// Nothing per node: every storage is shared. Only a test host that hands one in-memory storage to all the nodes
    /// of its process says so of MEMORY storages; no setting can.
    /// </summary>
    public static readonly PerNodeStorages None = new([]);

    public bool Any => Storages.Count > 0;

    public static PerNodeStorages Of(GatewaySettings settings)
    {
        var storages = new List<string>();
        if (settings.RecordsStorageType == "MEMORY")
        {
            storages.Add("records MEMORY");
        }

        if (settings.PositionsStorageType == "MEMORY")
        {
            storages.Add("positions MEMORY");
        }

        return new PerNodeStorages(storages);
    }

    public override string ToString() => string.Join(", ", Storages);
}
