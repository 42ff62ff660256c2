using System.Diagnostics;
using Liiklus.Storage.Positions;

namespace Liiklus.Storage.Telemetry;

/// <summary>A positions storage with a span per call and, when measuring, each call's duration and failures.</summary>
/// <param name="storage">the storage's name in metrics and spans, e.g. "redis"</param>
/// <param name="metrics">null when the host does not measure</param>
public sealed class InstrumentedPositionsStorage(IPositionsStorage inner, string storage, StorageMetrics? metrics) : IPositionsStorage
{
    public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
        ObserveAsync("ack", topic, group.Name, async () =>
        {
            await inner.UpdateAsync(topic, group, partition, offset, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        ObserveAsync("delete_group", topic, group.Name, async () =>
        {
            await inner.DeleteAsync(topic, group, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
        ObserveAsync("get_positions", topic, group.Name, () => inner.GetAsync(topic, group, cancellationToken));

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(
        string topic,
        string groupName,
        CancellationToken cancellationToken) =>
        ObserveAsync("get_all_versions", topic, groupName, () => inner.GetAllVersionsAsync(topic, groupName, cancellationToken));

    public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(
        string topic,
        GroupId reader,
        CancellationToken cancellationToken) =>
        ObserveAsync("get_all_versions", topic, reader.Name, () => inner.GetVersionsForAsync(topic, reader, cancellationToken));

    public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
        ObserveAsync("list_groups", topic, groupName: null, () => inner.ListGroupsAsync(topic, cancellationToken));

    private async Task<T> ObserveAsync<T>(string operation, string? topic, string? groupName, Func<Task<T>> call)
    {
        using var span = StorageTracing.Source.StartActivity(topic is null ? operation : $"{operation} {topic}", ActivityKind.Client);
        if (span is not null)
        {
            span.SetTag("db.system", storage);
            if (topic is not null)
            {
                span.SetTag("liiklus.topic", topic);
            }

            if (groupName is not null)
            {
                span.SetTag("liiklus.group", groupName);
            }
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            metrics?.Completed(storage, operation, started, failed: false);
            return result;
        }
        catch (Exception e)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            metrics?.Completed(storage, operation, started, failed: e is not OperationCanceledException);
            throw;
        }
    }
}
