using Akka.Actor;
using Akka.Dispatch.MessageQueues;
using Liiklus.Actors.Receiving;
using Xunit;

namespace Liiklus.Tests.Actors.Receiving;

/// <summary>The receive streams' mailbox queue: first in, first out, whatever its ring went through, and nothing lost.</summary>
public sealed class CompactMessageQueueSpecs
{
    [Fact]
    public void Messages_come_out_in_the_order_they_went_in_across_growth_wrap_and_emptying()
    {
        var queue = new CompactMessageQueue();
        var next = 0;
        var expected = 0;
        // Uneven rounds of puts and takes wrap the ring, grow it while wrapped, and empty it now and then.
        foreach (var (puts, takes) in new[] { (3, 2), (5, 1), (9, 14), (1, 1), (2, 0), (7, 9), (40, 40) })
        {
            for (var i = 0; i < puts; i++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope(next++, ActorRefs.NoSender));
            }

            for (var i = 0; i < takes; i++)
            {
                Assert.True(queue.TryDequeue(out var envelope));
                Assert.Equal(expected++, envelope.Message);
            }

            Assert.Equal(next - expected, queue.Count);
            Assert.Equal(next > expected, queue.HasMessages);
        }

        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public async Task Messages_from_many_senders_at_once_all_arrive_each_senders_in_its_order()
    {
        const int senders = 8;
        const int each = 20_000;
        var queue = new CompactMessageQueue();
        var taken = new List<(int Sender, int Sequence)>(senders * each);
        using var sent = new CountdownEvent(senders);
        var sending = Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                queue.Enqueue(ActorRefs.Nobody, new Envelope((s, i), ActorRefs.NoSender));
            }

            sent.Signal();
        })).ToList();

        while (taken.Count < senders * each)
        {
            if (queue.TryDequeue(out var envelope))
            {
                taken.Add(((int, int))envelope.Message);
            }
            else
            {
                Assert.False(sent.IsSet && !queue.HasMessages && taken.Count < senders * each, "a message was lost");
            }
        }

        await Task.WhenAll(sending);
        Assert.False(queue.HasMessages);
        foreach (var bySender in taken.GroupBy(t => t.Sender))
        {
            Assert.Equal(Enumerable.Range(0, each), bySender.Select(t => t.Sequence));
        }
    }
}
