using Akka;
using Akka.Streams.Dsl;
using Liiklus.Storage.Records;

namespace Liiklus.Tests.Support;

public static class PartitionSourceExtensions
{
    /// <summary>A partition source's chunks as one record after another, for specs that count records.</summary>
    public static Source<StoredRecord, NotUsed> Records(this Source<IReadOnlyList<StoredRecord>, NotUsed> chunks) =>
        chunks.SelectMany(IEnumerable<StoredRecord> (chunk) => chunk);
}
