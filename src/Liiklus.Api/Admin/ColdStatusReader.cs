using Grpc.Core;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Archiving;
using Liiklus.Storage.Cold.Reading;

namespace Liiklus.Api.Admin;

/// <summary>
/// The admin API's cold status of a partition: the cold store's own account (first and archived offsets, gaps),
/// beside Kafka's retained range as Kafka has it. Both are asked on each call: the archivers may run on other nodes.
/// </summary>
public sealed class ColdStatusReader(ColdOptions options, IColdStore? store, IArchiveSource? kafka)
{
    /// <exception cref="RpcException">FAILED_PRECONDITION with cold storage off; INVALID_ARGUMENT for a topic not archived</exception>
    public void CheckArchived(string? topic)
    {
        if (options.Type == ColdStoreType.None || store is null || kafka is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "cold storage is off (cold_type NONE)"));
        }

        if (topic is not null && !options.Topics.Matches(topic))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"topic: '{topic}' is not archived (cold_topics is '{options.Topics}')"));
        }
    }

    public bool Archives(string topic) => options.Archives(topic);

    public async Task<ColdPartitionStatus> ReadAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var (earliest, end) = await kafka!.RetainedRangeAsync(topic, partition, cancellationToken);
        var status = new ColdPartitionStatus
        {
            Topic = topic,
            Partition = (uint)partition,
            EarliestOffset = (ulong)earliest,
            EndOffset = (ulong)end,
        };
        var first = await ColdReplay.ColdFirstAsync(store!, topic, partition, cancellationToken);
        var archived = await store!.GetArchivedNextAsync(topic, partition, cancellationToken);
        if (first is null || archived is null)
        {
            status.Lag = (ulong)(end - earliest);
            return status;
        }

        status.Archived = true;
        status.ColdFirstOffset = (ulong)first.Value;
        status.ArchivedOffset = (ulong)archived.Value;
        status.Lag = (ulong)Math.Max(0, end - archived.Value);
        status.Headroom = archived.Value - earliest;
        await foreach (var range in store.ListAsync(topic, partition, 0, cancellationToken))
        {
            if (range is ColdGap gap)
            {
                status.Gaps.Add(new ColdGapRange { FromOffset = (ulong)gap.BaseOffset, ToOffset = (ulong)gap.NextOffset });
            }
        }

        return status;
    }
}
