using System.Collections.Concurrent;
using Liiklus.Client;
using Liiklus.Tests.Support;

namespace Liiklus.Tests.Client;

/// <summary>Every record some consumer's handler saw, with the consumer's name, in the order they were handled.</summary>
public sealed class HandledRecords
{
    private readonly ConcurrentQueue<(string Consumer, int Partition, ulong Offset, string Value)> _seen = new();

    public IReadOnlyList<(string Consumer, int Partition, ulong Offset, string Value)> All => _seen.ToArray();

    /// <summary>A handler that records what it sees and succeeds.</summary>
    public IRecordHandler Handler(string consumer) => new DelegateHandler((record, _, _) =>
    {
        _seen.Enqueue((consumer, record.Partition, record.Offset, System.Text.Encoding.UTF8.GetString(record.Value.Span)));
        return ValueTask.FromResult(HandleResult.Success);
    });

    public Task UntilDistinctAsync(int count) => Eventually.Until(
        () => Task.FromResult(All.Select(r => (r.Partition, r.Offset)).Distinct().Count()),
        seen => seen >= count,
        $"{count} distinct records handled");

    /// <summary>(partition, offset) pairs handled more than once.</summary>
    public IReadOnlyList<(int Partition, ulong Offset)> Duplicates => All
        .GroupBy(r => (r.Partition, r.Offset))
        .Where(g => g.Count() > 1)
        .Select(g => g.Key)
        .ToList();
}
