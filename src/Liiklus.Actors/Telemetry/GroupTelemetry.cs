using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Liiklus.Actors.Telemetry;

/// <summary>
/// What group coordinators report: rebalances and claims (on a meter of the host's <see cref="IMeterFactory"/>) and
/// the groups this node coordinates (<see cref="CoordinatedGroups"/>). Absent when the host does not measure.
/// </summary>
public sealed class GroupTelemetry
{
    public const string MeterName = "Liiklus.Actors";

    private readonly Counter<long> _rebalances;
    private readonly Counter<long> _claims;

    public GroupTelemetry(IMeterFactory meters, CoordinatedGroups groups)
    {
        Groups = groups;
        var meter = meters.Create(MeterName);
        _rebalances = meter.CreateCounter<long>(
            "liiklus.rebalances",
            description: "Rebalances of the groups coordinated on this node that moved at least one partition.");
        _claims = meter.CreateCounter<long>(
            "liiklus.partition.claims",
            description: "Receive streams' claims of a partition answered by the coordinators of this node, by result.");
    }

    public CoordinatedGroups Groups { get; }

    internal void Joined(string topic, string groupName, string sessionId) => Groups.Joined(topic, groupName, sessionId);

    internal void Stopped(string topic, string groupName) => Groups.Stopped(topic, groupName);

    internal void Rebalanced() => _rebalances.Add(1);

    /// <param name="result">claimed, not_owned or session_unknown</param>
    internal void Claimed(string result) => _claims.Add(1, new KeyValuePair<string, object?>("result", result));
}
