using System.Collections.Concurrent;

namespace Liiklus.Samples.Worker;

/// <summary>
/// Stands in for a billing system that is sometimes down: a customer named in <c>Sample:FlakyCustomers</c> is
/// refused the given number of times before a charge goes through. Remembers what it charged.
/// </summary>
public sealed class FlakyBilling(IReadOnlyDictionary<string, int> refusalsByCustomer)
{
    private readonly ConcurrentDictionary<string, int> _refused = new();
    private readonly ConcurrentDictionary<string, Order> _charged = new();

    public IReadOnlyCollection<Order> Charged => [.. _charged.Values];

    public Task ChargeAsync(Order order, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var refusals = refusalsByCustomer.GetValueOrDefault(order.Customer);
        if (_refused.AddOrUpdate(order.Id, 1, (_, n) => n + 1) <= refusals)
        {
            throw new BillingUnavailableException($"billing is down for customer {order.Customer}");
        }

        // Handled again after a rebalance or a crash (at-least-once): charging twice is what the id prevents.
        _charged.TryAdd(order.Id, order);
        return Task.CompletedTask;
    }
}
