using Liiklus.Client;
using Liiklus.Samples.Worker;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Liiklus.Tests.Client;

/// <summary>The worker sample's handler and retry settings, run as the sample runs them, against a gateway.</summary>
public sealed class SampleWorkerSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Sample_bills_good_orders_retries_a_flaky_customer_and_dead_letters_the_invalid_and_the_unbillable()
    {
        var client = NewClient();
        var topic = NewName("orders");
        var group = new ConsumerGroup(topic, "billing");
        var publisher = new LiiklusPublisher(client);
        var demo = OrderFeeder.DemoOrders("spec");
        foreach (var (order, type) in demo)
        {
            await publisher.PublishAsync(topic, order, System.Text.Encoding.UTF8.GetBytes(order.Customer), new EventAttributes { Type = type });
        }

        var billing = new FlakyBilling(SampleSettings.BillingRefusals);
        var options = new LiiklusConsumerOptions { LagInterval = TimeSpan.Zero };
        SampleSettings.ConfigureConsumer(options);
        options.RetryDelay = TimeSpan.FromMilliseconds(20);
        var deadLetters = new HandledRecords();
        await using (RunningConsumer.Start(client, group, new OrderHandler(billing, NullLogger<OrderHandler>.Instance), options))
        await using (RunningConsumer.Start(client, new ConsumerGroup($"{topic}.dlt", "dead-letters"), deadLetters.Handler("dlt"), options))
        {
            await deadLetters.UntilDistinctAsync(2);
            await Eventually.Until(() => Task.FromResult(billing.Charged.Count), charged => charged == 4, "four orders billed");
        }

        Assert.Equal(["spec-1", "spec-2", "spec-4", "spec-6"], billing.Charged.Select(o => o.Id).Order());
        var letters = await DeadLettersAsync(client, $"{topic}.dlt");
        var invalid = letters.Single(l => l.Event!.Extensions[DeadLetters.Attempts] == "1");
        Assert.Contains("spec-3", invalid.Event!.Extensions[DeadLetters.Reason]);
        var unbillable = letters.Single(l => l != invalid);
        Assert.Equal("4", unbillable.Event!.Extensions[DeadLetters.Attempts]);
        Assert.Equal(typeof(BillingUnavailableException).FullName, unbillable.Event.Extensions[DeadLetters.ExceptionType]);
        Assert.Contains(SampleSettings.DownCustomer, unbillable.Event.Extensions[DeadLetters.ExceptionMessage]);
        // Everything, the skipped and the dead-lettered included, was acknowledged on stop.
        var ends = await client.GetEndOffsetsAsync(topic);
        var acked = await client.GetOffsetsAsync(group);
        Assert.Equal(ends.Where(e => e.Value >= 0).ToDictionary(e => e.Key, e => (ulong)e.Value), acked);
    }

    private static async Task<List<LiiklusRecord>> DeadLettersAsync(LiiklusClient client, string topic)
    {
        var ends = await client.GetEndOffsetsAsync(topic);
        var letters = new List<LiiklusRecord>();
        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, NewName("reader")), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignments = new Dictionary<int, PartitionAssignment>();
        while (assignments.Count < ends.Count && await subscription.MoveNextAsync())
        {
            assignments[subscription.Current.Partition] = subscription.Current;
        }

        foreach (var (partition, end) in ends.Where(e => e.Value >= 0))
        {
            letters.AddRange(await client.ReceiveAsync(assignments[partition], cancellationToken: timeout.Token).Take((int)end + 1).ToListAsync(timeout.Token));
        }

        return letters;
    }
}
