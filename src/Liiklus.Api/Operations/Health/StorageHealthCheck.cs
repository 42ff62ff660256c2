using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Records;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;

namespace Liiklus.Api.Operations.Health;

/// <summary>
/// Asks one storage one cheap question under a deadline: the end offsets of a topic that does not exist (never
/// created), or the positions of a group that does not exist. The health-check service runs the checks at once, so
/// /health/ready takes at most one deadline whatever is down.
/// </summary>
public sealed class StorageHealthCheck : IHealthCheck
{
    /// <summary>Health data naming the storage's role: records or positions.</summary>
    public const string RoleKey = "role";

    /// <summary>Health data naming the storage's kind, e.g. redis.</summary>
    public const string StorageKey = "storage";

    /// <summary>A name no client can publish to by mistake and no storage creates when asked for its end offsets.</summary>
    private const string ProbeTopic = "__liiklus_readiness_probe";

    private static readonly GroupId ProbeGroup = new("__liiklus_readiness_probe", 0);

    private readonly Func<CancellationToken, Task> _ask;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlyDictionary<string, object> _data;

    private StorageHealthCheck(string role, string storageType, Func<CancellationToken, Task> ask, TimeSpan timeout)
    {
        _ask = ask;
        _timeout = timeout;
        _data = new Dictionary<string, object> { [RoleKey] = role, [StorageKey] = storageType.ToLowerInvariant() };
    }

    public static StorageHealthCheck Records(IRecordsStorage records, string storageType, TimeSpan timeout) =>
        new("records", storageType, ct => records.GetEndOffsetsAsync(ProbeTopic, ct), timeout);

    public static StorageHealthCheck Positions(IPositionsStorage positions, string storageType, TimeSpan timeout) =>
        new("positions", storageType, ct => positions.GetAsync(ProbeTopic, ProbeGroup, ct), timeout);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Probes every few seconds are not worth a trace each.
        using var quiet = SuppressInstrumentationScope.Begin();
        try
        {
            // A storage that ignored the token must not hold the probe past its deadline either.
            await Deadline.RunAsync(_timeout, async ct => { await _ask(ct); return true; }, cancellationToken);
            return HealthCheckResult.Healthy(data: _data);
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"did not answer within {_timeout.TotalMilliseconds:0}ms", data: _data);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(e.Message, data: _data);
        }
    }
}
