using Akka.Actor;
using Akka.Cluster;
using Liiklus.Api.Configuration;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using OpenTelemetry;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// Asks each storage one cheap question under a deadline: the end offsets of a topic that does not exist (never
/// created) and the positions of a group that does not exist. Both storages are asked at once, so a probe takes at
/// most one deadline whatever is down.
/// </summary>
public sealed class ReadinessProbe(
    IRecordsStorage records,
    IPositionsStorage positions,
    GatewaySettings settings,
    NodeDraining draining,
    IServiceProvider services)
{
    /// <summary>A name no client can publish to by mistake and no storage creates when asked for its end offsets.</summary>
    private const string ProbeTopic = "__liiklus_readiness_probe";

    private static readonly GroupId ProbeGroup = new("__liiklus_readiness_probe", 0);

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        // Probes every few seconds are not worth a trace each.
        using var quiet = SuppressInstrumentationScope.Begin();
        var timeout = settings.Operations.ReadinessTimeout;
        var probes = await Task.WhenAll(
            ProbeAsync("records", settings.RecordsStorageType, ct => records.GetEndOffsetsAsync(ProbeTopic, ct), timeout, cancellationToken),
            ProbeAsync("positions", settings.PositionsStorageType, ct => positions.GetAsync(ProbeTopic, ProbeGroup, ct), timeout, cancellationToken));
        return new ReadinessReport(probes, NodeStatus(), draining.IsDraining);
    }

    private string NodeStatus() =>
        services.GetService<ActorSystem>() is { } system ? Cluster.Get(system).SelfMember.Status.ToString() : "Starting";

    private static async Task<StorageProbe> ProbeAsync(
        string role,
        string storageType,
        Func<CancellationToken, Task> ask,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var storage = storageType.ToLowerInvariant();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            // WaitAsync too: a storage that ignored the token must not hold the probe past its deadline.
            await ask(deadline.Token).WaitAsync(deadline.Token);
            return new StorageProbe(role, storage, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new StorageProbe(role, storage, $"did not answer within {timeout.TotalMilliseconds:0}ms");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new StorageProbe(role, storage, e.Message);
        }
    }
}
