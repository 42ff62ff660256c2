using Akka;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

/// <summary>
/// A real records storage seen through a spec's decorator, which overrides only what it watches or holds back. The
/// rest hooks (<see cref="IRecordsStorage.WakeOnAppend"/>, <see cref="IRecordsStorage.RestingOffset"/>,
/// <see cref="IRecordsStorage.ReadAtTail"/>) are not passed on unless a decorator does so: every record then goes
/// through <see cref="PartitionSource"/>, where decorators count and watch reads.
/// </summary>
public abstract class ForwardingRecordsStorage(IRecordsStorage inner) : IRecordsStorage
{
    protected IRecordsStorage Inner => inner;

    public virtual Task<PublishResult> PublishAsync(string topic, OutgoingRecord record, CancellationToken cancellationToken) =>
        inner.PublishAsync(topic, record, cancellationToken);

    public Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken) =>
        inner.GetPartitionCountAsync(topic, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        inner.GetEndOffsetsAsync(topic, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetEarliestOffsetsAsync(string topic, CancellationToken cancellationToken) =>
        inner.GetEarliestOffsetsAsync(topic, cancellationToken);

    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimestampAsync(string topic, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        inner.GetOffsetsForTimestampAsync(topic, timestamp, cancellationToken);

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) => inner.ListTopicsAsync(cancellationToken);

    public virtual Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start) =>
        inner.PartitionSource(topic, partition, start);

    public virtual IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake) => null;

    public virtual long? RestingOffset(string topic, int partition, StartPosition start) => null;

    public virtual IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) => null;
}
