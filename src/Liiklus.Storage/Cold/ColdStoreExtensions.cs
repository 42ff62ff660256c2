using System.Runtime.CompilerServices;

namespace Liiklus.Storage.Cold;

public static class ColdStoreExtensions
{
    /// <summary>
    /// The records of a segment from <paramref name="fromOffset"/> on, block by block: only the blocks from the one
    /// holding that offset are fetched, each when the reader gets to it.
    /// </summary>
    public static async IAsyncEnumerable<ColdRecord> ReadRecordsAsync(
        this IColdStore store,
        ColdSegment segment,
        long fromOffset,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var index = await store.ReadIndexAsync(segment, cancellationToken).ConfigureAwait(false);
        var first = index.BlockOf(fromOffset);
        if (first < 0)
        {
            yield break;
        }

        for (var block = first; block < index.Blocks.Count; block++)
        {
            var read = await store.ReadBlockAsync(index, block, cancellationToken).ConfigureAwait(false);
            foreach (var record in read.Records)
            {
                if (record.Offset >= fromOffset)
                {
                    yield return record;
                }
            }
        }
    }
}
