namespace Liiklus.Actors.Placement;

/// <summary>One member of the cluster as the asking node sees it, with the group coordinators it runs.</summary>
/// <param name="Address">its Akka address, e.g. akka.tcp://liiklus@10.0.0.5:4053</param>
/// <param name="Status">Akka's member status: Joining, WeaklyUp, Up, Leaving, Exiting, Down, Removed</param>
/// <param name="Self">the node that answered</param>
/// <param name="Leader">the cluster's leader (the node that moves members up and out)</param>
/// <param name="Reachable">no node's failure detector flags it unreachable</param>
/// <param name="Groups">
/// the coordinators it runs, ordered by topic and name; null when it was not asked (neither Up nor Leaving, or
/// unreachable) or did not answer in time
/// </param>
public sealed record ClusterNodeView(
    string Address,
    string Status,
    IReadOnlyList<string> Roles,
    bool Self,
    bool Leader,
    bool Reachable,
    IReadOnlyList<PlacedGroup>? Groups);
