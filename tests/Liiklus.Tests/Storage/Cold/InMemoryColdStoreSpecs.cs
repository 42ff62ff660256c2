using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Memory;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>The cold store contract on the in-memory store.</summary>
public sealed class InMemoryColdStoreSpecs : ColdStoreContract
{
    private InMemoryColdStore? _store;

    protected override long Fetches => _store!.IndexReads + _store.BlockReads;

    protected override IColdStore CreateStore(int blockBytes) => _store = new InMemoryColdStore(blockBytes);

    protected override Task CorruptAsync(ColdSegment segment, long position)
    {
        _store!.Corrupt(segment.Key, position);
        return Task.CompletedTask;
    }
}
