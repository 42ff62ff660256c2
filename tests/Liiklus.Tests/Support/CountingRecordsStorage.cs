using System.Collections.Concurrent;
using Akka;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

/// <summary>A real records storage that also counts what each partition's readers pulled out of it.</summary>
public sealed class CountingRecordsStorage(IRecordsStorage inner) : ForwardingRecordsStorage(inner)
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), StrongBox> _pulled = new();

    public long PulledFrom(string topic, int partition) =>
        _pulled.TryGetValue((topic, partition), out var count) ? Interlocked.Read(ref count.Value) : 0;

    public override Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
    {
        var count = _pulled.GetOrAdd((topic, partition), _ => new StrongBox());
        return Inner.PartitionSource(topic, partition, start).Select(chunk =>
        {
            Interlocked.Add(ref count.Value, chunk.Count);
            return chunk;
        });
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
