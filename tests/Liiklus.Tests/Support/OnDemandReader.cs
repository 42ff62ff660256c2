using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

public sealed record OnDemandReader(ISinkQueue<StoredRecord> Queue, UniqueKillSwitch KillSwitch)
{
    /// <summary>The next <paramref name="count"/> records, each within <paramref name="deadline"/>.</summary>
    public async Task<List<StoredRecord>> PullAsync(int count, TimeSpan deadline)
    {
        var records = new List<StoredRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var next = await Queue.PullAsync().WaitAsync(deadline);
            records.Add(next.Value ?? throw new InvalidOperationException($"the partition source completed after {records.Count} records"));
        }

        return records;
    }
}
