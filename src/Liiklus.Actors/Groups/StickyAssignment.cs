namespace Liiklus.Actors.Groups;

/// <summary>
/// Spreads partitions evenly over members while moving as few as possible: every member ends with
/// ⌊n/m⌋ or ⌈n/m⌉ partitions, members that already hold more keep the larger shares, and a member keeps
/// every partition it held up to its share.
/// </summary>
public static class StickyAssignment
{
    /// <param name="current">partition → owning member, or null when unowned; owners not in <paramref name="members"/> are ignored</param>
    /// <param name="members">live members, oldest first</param>
    /// <returns>partition → owning member (null only when there are no members)</returns>
    public static string?[] Rebalance(IReadOnlyList<string?> current, IReadOnlyList<string> members)
    {
        var partitionCount = current.Count;
        var next = new string?[partitionCount];
        if (members.Count == 0)
        {
            return next;
        }

        var held = members.ToDictionary(m => m, _ => new List<int>(), StringComparer.Ordinal);
        for (var partition = 0; partition < partitionCount; partition++)
        {
            if (current[partition] is { } owner && held.TryGetValue(owner, out var partitions))
            {
                partitions.Add(partition);
            }
        }

        // The larger shares go to members already holding the most, so they have least to give up.
        var byHoldings = members
            .Select((member, age) => (member, age))
            .OrderByDescending(m => held[m.member].Count)
            .ThenBy(m => m.age)
            .Select(m => m.member)
            .ToList();
        var baseShare = partitionCount / members.Count;
        var largerShares = partitionCount % members.Count;
        var quota = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var rank = 0; rank < byHoldings.Count; rank++)
        {
            quota[byHoldings[rank]] = baseShare + (rank < largerShares ? 1 : 0);
        }

        var count = members.ToDictionary(m => m, _ => 0, StringComparer.Ordinal);
        foreach (var member in members)
        {
            foreach (var partition in held[member].Take(quota[member]))
            {
                next[partition] = member;
                count[member]++;
            }
        }

        var needy = new Queue<string>(byHoldings.Where(m => count[m] < quota[m]));
        for (var partition = 0; partition < partitionCount; partition++)
        {
            if (next[partition] is not null)
            {
                continue;
            }

            var member = needy.Peek();
            next[partition] = member;
            if (++count[member] == quota[member])
            {
                needy.Dequeue();
            }
        }

        return next;
    }
}
