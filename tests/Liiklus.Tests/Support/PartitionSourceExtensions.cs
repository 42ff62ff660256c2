using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

public static class PartitionSourceExtensions
{
    /// <summary>A partition source's chunks as one record after another, for specs that count records.</summary>
    public static Source<StoredRecord, NotUsed> Records(this Source<IReadOnlyList<StoredRecord>, NotUsed> chunks) =>
        chunks.SelectMany(IEnumerable<StoredRecord> (chunk) => chunk);

    /// <summary>Runs <paramref name="records"/> into a reader that pulls only when asked, one record at a time.</summary>
    public static OnDemandReader PullOnDemand(this Source<StoredRecord, NotUsed> records, IMaterializer materializer)
    {
        var (killSwitch, queue) = records
            .ViaMaterialized(KillSwitches.Single<StoredRecord>(), Keep.Right)
            .ToMaterialized(Sink.Queue<StoredRecord>().WithAttributes(Attributes.CreateInputBuffer(1, 1)), Keep.Both)
            .Run(materializer);
        return new OnDemandReader(queue, killSwitch);
    }
}
