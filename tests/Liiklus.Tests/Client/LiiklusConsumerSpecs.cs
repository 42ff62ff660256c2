using System.Collections.Concurrent;
using System.Text;
using Liiklus.Client;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Liiklus.Tests.Client;

public sealed class LiiklusConsumerSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    /// <summary>Acks only when a partition is revoked, replaced or stopped, unless a spec says otherwise.</summary>
    private static LiiklusConsumerOptions OnlyFinalAcks() => new()
    {
        AckBatchSize = 100_000,
        AckInterval = TimeSpan.FromMinutes(10),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(50),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
        LagInterval = TimeSpan.Zero,
    };

    [Fact]
    public async Task Handler_sees_every_record_in_order_per_partition_and_stopping_acknowledges_the_last_of_each()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = await PublishAsync(client, topic, 200);
        var handled = new HandledRecords();

        await using (var consumer = RunningConsumer.Start(client, group, handled.Handler("a"), OnlyFinalAcks()))
        {
            await handled.UntilDistinctAsync(200);
            Assert.Empty(await client.GetOffsetsAsync(group));
        }

        Assert.Empty(handled.Duplicates);
        foreach (var partition in handled.All.GroupBy(r => r.Partition))
        {
            Assert.Equal(partition.Select(r => r.Offset).Order(), partition.Select(r => r.Offset));
        }

        var lastOfEach = published.GroupBy(p => p.Partition).ToDictionary(p => p.Key, p => p.Max(r => r.Offset));
        Assert.Equal(lastOfEach, await client.GetOffsetsAsync(group));
    }

    [Fact]
    public async Task Acks_go_out_every_batch_of_handled_records()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = new List<PublishResult>();
        for (var i = 0; i < 25; i++)
        {
            published.Add(await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), "same"u8.ToArray()));
        }

        using var flushes = new AckFlushCount(topic);
        var handled = new HandledRecords();
        var options = OnlyFinalAcks();
        options.AckBatchSize = 10;
        await using var consumer = RunningConsumer.Start(client, group, handled.Handler("a"), options);
        await handled.UntilDistinctAsync(25);

        // Two whole batches were handled: the position passes the 20th record with no interval and no stop, by at
        // most one ack per batch. Each ack carries the highest handled offset when it goes out, so records handled
        // while the previous one was on its way may go with it.
        var acked = await Eventually.Until(
            () => client.GetOffsetsAsync(group),
            offsets => offsets.TryGetValue(published[0].Partition, out var offset) && offset >= published[19].Offset,
            "the second batch acknowledged");
        Assert.Contains(acked[published[0].Partition], published.Skip(19).Select(p => p.Offset));
        Assert.InRange(flushes.Batch, 1, 2);
        Assert.Equal(0, flushes.Other);
    }

    [Fact]
    public async Task Handler_that_finishes_each_record_at_once_handles_no_more_partitions_at_a_time_than_the_bound()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = await PublishAsync(client, topic, 60);
        Assert.True(published.Select(p => p.Partition).Distinct().Count() > 1, "records on several partitions");
        var inHandler = 0;
        var most = 0;
        var handled = new HandledRecords();
        var recordsOf = handled.Handler("a");
        var handler = new DelegateHandler((record, context, cancellationToken) =>
        {
            var now = Interlocked.Increment(ref inHandler);
            InterlockedMax(ref most, now);
            // Long enough for another partition's loop to come in, were it let in; returns a completed result.
            var busy = System.Diagnostics.Stopwatch.StartNew();
            while (busy.Elapsed < TimeSpan.FromMilliseconds(2))
            {
                Thread.SpinWait(100);
            }

            Interlocked.Decrement(ref inHandler);
            return recordsOf.HandleAsync(record, context, cancellationToken);
        });
        var options = OnlyFinalAcks();
        options.MaxConcurrentPartitions = 1;
        await using var consumer = RunningConsumer.Start(client, group, handler, options);

        await handled.UntilDistinctAsync(60);

        Assert.Equal(1, Volatile.Read(ref most));

        static void InterlockedMax(ref int target, int value)
        {
            var seen = Volatile.Read(ref target);
            while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
            {
                seen = was;
            }
        }
    }

    [Fact]
    public async Task Handled_records_short_of_a_batch_are_acknowledged_once_they_waited_the_ack_interval()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = new List<PublishResult>();
        for (var i = 0; i < 5; i++)
        {
            published.Add(await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), "same"u8.ToArray()));
        }

        var handled = new HandledRecords();
        var options = OnlyFinalAcks();
        options.AckInterval = TimeSpan.FromMilliseconds(200);
        await using var consumer = RunningConsumer.Start(client, group, handled.Handler("a"), options);
        await handled.UntilDistinctAsync(5);

        var acked = await Eventually.Until(() => client.GetOffsetsAsync(group), offsets => offsets.Count == 1, "an ack by the interval");
        Assert.Equal(published[4].Offset, acked[published[0].Partition]);
    }

    [Fact]
    public async Task Handled_records_wait_the_whole_ack_interval_before_they_are_acknowledged_without_a_full_batch()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var handled = new HandledRecords();
        var options = OnlyFinalAcks();
        options.AckInterval = TimeSpan.FromSeconds(2);
        await using var consumer = RunningConsumer.Start(client, group, handled.Handler("a"), options);
        await Eventually.Until(() => Task.FromResult(consumer.Consumer.State), state => state == ConsumerState.Subscribed, "subscribed");
        // Published some time into the partition's ack loop, whatever its phase.
        var published = (await PublishAsync(client, topic, 1)).Single();
        await handled.UntilDistinctAsync(1);
        var sinceHandled = System.Diagnostics.Stopwatch.StartNew();

        await Eventually.Until(() => client.GetOffsetsAsync(group), offsets => offsets.ContainsKey(published.Partition), "the record acknowledged");

        // An ack on a tick of a fixed period would come sooner: the record was handled at some point within one.
        Assert.True(sinceHandled.Elapsed >= TimeSpan.FromSeconds(1.9), $"acknowledged {sinceHandled.Elapsed} after it was handled");
    }

    [Fact]
    public async Task Partition_stream_acknowledges_only_the_highest_contiguous_handled_offset()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = new List<PublishResult>();
        for (var i = 0; i < 3; i++)
        {
            published.Add(await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), "same"u8.ToArray()));
        }

        var options = OnlyFinalAcks();
        options.AckBatchSize = 1;
        var consumer = new LiiklusConsumer(client, group, options);
        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var streams = consumer.ConsumeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        PartitionStream stream;
        do
        {
            Assert.True(await streams.MoveNextAsync());
            stream = streams.Current;
        }
        while (stream.Partition != published[0].Partition);

        var records = await stream.ReadAllAsync(timeout.Token).Take(3).ToListAsync(timeout.Token);
        await stream.MarkHandledAsync(records[2]);
        await stream.MarkHandledAsync(records[1]);
        Assert.Empty(await client.GetOffsetsAsync(group));

        await stream.MarkHandledAsync(records[0]);
        Assert.Equal(published[2].Offset, (await client.GetOffsetsAsync(group))[stream.Partition]);
    }

    [Fact]
    public async Task At_most_once_acknowledges_a_record_before_its_handler_runs()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var published = await client.PublishAsync(topic, "v"u8.ToArray(), "k"u8.ToArray());
        var ackedWhenHandled = new TaskCompletionSource<IReadOnlyDictionary<int, ulong>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = OnlyFinalAcks();
        options.AckMode = AckMode.AtMostOnce;

        await using var consumer = RunningConsumer.Start(client, group, new DelegateHandler(async (_, _, cancellationToken) =>
        {
            ackedWhenHandled.TrySetResult(await client.GetOffsetsAsync(group, cancellationToken));
            return HandleResult.Success;
        }), options);

        var acked = await ackedWhenHandled.Task.WaitAsync(LiiklusClientExtensions.Deadline);
        Assert.Equal(published.Offset, acked[published.Partition]);
    }

    [Fact]
    public async Task Second_consumer_takes_partitions_over_without_a_handled_record_being_handled_again()
    {
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var publisher = NewClient();
        await PublishAsync(publisher, topic, 160);
        var handled = new HandledRecords();
        await using var first = RunningConsumer.Start(NewClient(), group, handled.Handler("first"), OnlyFinalAcks());
        await handled.UntilDistinctAsync(160);

        await using var second = RunningConsumer.Start(NewClient(), group, handled.Handler("second"), OnlyFinalAcks());
        await Eventually.Until(() => Task.FromResult(second.Consumer.State), state => state == ConsumerState.Subscribed, "the second consumer's first assignment");
        await PublishAsync(publisher, topic, 160, from: 160);
        await handled.UntilDistinctAsync(320);

        Assert.Empty(handled.Duplicates);
        Assert.Contains(handled.All, r => r.Consumer == "second");
        foreach (var partition in handled.All.GroupBy(r => r.Partition))
        {
            Assert.Equal(partition.Select(r => r.Offset).Order(), partition.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task At_most_once_handles_no_record_twice_when_partitions_move_to_a_joining_consumer_and_back_from_a_crashed_one()
    {
        await using var proxy = TcpProxy.Start(Fixture.Gateway.Address);
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var publisher = NewClient();
        var options = OnlyFinalAcks();
        options.AckMode = AckMode.AtMostOnce;
        // Small batches: acknowledgements ahead of the handler go out all the time, also while partitions move.
        options.AckBatchSize = 5;
        await PublishAsync(publisher, topic, 160);
        var handled = new HandledRecords();
        await using var first = RunningConsumer.Start(NewClient(), group, handled.Handler("first"), options);
        await handled.UntilDistinctAsync(160);

        await using var second = RunningConsumer.Start(NewClient(proxy.Address, TimeSpan.FromSeconds(2)), group, handled.Handler("second"), options);
        await Eventually.Until(() => Task.FromResult(second.Consumer.State), state => state == ConsumerState.Subscribed, "the second consumer's first assignment");
        await PublishAsync(publisher, topic, 160, from: 160);
        await Eventually.Until(() => Task.FromResult(handled.All.Count(r => r.Consumer == "second")), count => count > 0, "the second consumer handling records");

        // A crash: nothing more of the second consumer reaches the gateway, its partitions go back to the first.
        proxy.Cut(refuse: true);
        await second.StopAsync();
        await PublishAsync(publisher, topic, 160, from: 320);
        await Eventually.Until(
            () => Task.FromResult(handled.All.Count(r => r.Consumer == "first" && int.Parse(r.Value[1..]) >= 320)),
            count => count == 160,
            "the first consumer handling every record published after the crash");

        Assert.Empty(handled.Duplicates);
        Assert.Contains(handled.All, r => r.Consumer == "second");
    }

    [Fact]
    public async Task Partition_gained_back_while_its_ended_stream_still_has_a_record_in_hand_waits_for_the_handoff_and_repeats_nothing_its_meanwhile_owner_handled()
    {
        await using var proxyA = TcpProxy.Start(Fixture.Gateway.Address);
        await using var proxyB = TcpProxy.Start(Fixture.Gateway.Address);
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var publisher = NewClient();
        var handled = new HandledRecords();
        var recordsOfA = handled.Handler("a");
        var holding = 0;
        var inHand = new ConcurrentQueue<(int Partition, ulong Offset)>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerA = new DelegateHandler(async (record, context, cancellationToken) =>
        {
            if (Volatile.Read(ref holding) == 1)
            {
                inHand.Enqueue((record.Partition, record.Offset));
                await release.Task;
                return HandleResult.Success;
            }

            return await recordsOfA.HandleAsync(record, context, cancellationToken);
        });
        var optionsA = OnlyFinalAcks();
        // Every handled record acknowledged at once, every partition with a record in hand when the connection drops,
        // and a handoff long enough for the meanwhile owner's revoke-time acknowledgement.
        optionsA.AckBatchSize = 1;
        optionsA.MaxConcurrentPartitions = 8;
        optionsA.HandoffDelay = TimeSpan.FromSeconds(4);
        var logOfA = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logOfA).SetMinimumLevel(LogLevel.Information));
        var consumerA = new LiiklusConsumer(NewClient(proxyA.Address, TimeSpan.FromSeconds(2)), group, optionsA, loggers.CreateLogger<LiiklusConsumer>());
        int AssignmentsOfA() => logOfA.Lines.Count(l => l.Line.Contains(" assigned to group ", StringComparison.Ordinal));
        await PublishAsync(publisher, topic, 40);
        await using var a = RunningConsumer.Start(consumerA, handlerA);
        await handled.UntilDistinctAsync(40);

        // A record of each partition in hand when A's connection drops: its streams end, their handling does not.
        Volatile.Write(ref holding, 1);
        var held = await PublishAsync(publisher, topic, 40, from: 40);
        var partitions = held.Select(r => r.Partition).Distinct().Count();
        await Eventually.Until(() => Task.FromResult(inHand.Count), count => count == partitions, "a record of each partition in A's hand");
        proxyA.Cut(refuse: true);
        await Eventually.Until(() => Task.FromResult(a.Consumer.State), state => state == ConsumerState.Reconnecting, "A reconnecting");

        // B takes every partition over and handles what A had in hand and after; it acknowledges only when revoked.
        await using var b = RunningConsumer.Start(NewClient(proxyB.Address, TimeSpan.FromSeconds(2)), group, handled.Handler("b"), OnlyFinalAcks());
        await handled.UntilDistinctAsync(80);

        // A comes back while B's revoke-time acknowledgements are held: A gains back partitions whose old streams
        // still have their record in hand, and opens their Receive before B's acknowledgements are stored.
        proxyB.Pause();
        var assignedBefore = AssignmentsOfA();
        proxyA.Accept();
        await Eventually.Until(() => Task.FromResult(a.Consumer.State), state => state == ConsumerState.Subscribed, "A subscribed again");
        Volatile.Write(ref holding, 0);
        release.TrySetResult();
        await Eventually.Until(() => Task.FromResult(AssignmentsOfA()), count => count > assignedBefore, "A assigned a partition it held before");
        // Without a handoff A would handle B's records at once: give that a moment to show before B's acks go out.
        try
        {
            await Eventually.Until(
                () => Task.FromResult(handled.All.Count(r => r.Consumer == "a" && int.Parse(r.Value[1..]) is >= 40 and < 80)),
                count => count > 0,
                "A handling a record B handled",
                TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
            // A waits for the handoff, as it should.
        }

        proxyB.Resume();

        await PublishAsync(publisher, topic, 40, from: 80);
        await handled.UntilDistinctAsync(120);
        var handledByB = handled.All.Where(r => r.Consumer == "b").Select(r => (r.Partition, r.Offset)).ToHashSet();
        var regained = handled.All.Where(r => r.Consumer == "a" && int.Parse(r.Value[1..]) >= 80).Select(r => r.Partition).ToHashSet();
        Assert.Contains(handledByB, r => regained.Contains(r.Partition));
        Assert.DoesNotContain(handled.All, r => r.Consumer == "a" && handledByB.Contains((r.Partition, r.Offset)));
    }

    [Fact]
    public async Task Poison_record_is_retried_then_dead_lettered_with_every_header_and_its_partition_moves_on()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g", Version: 3);
        var poison = await client.PublishAsync(topic, "poison"u8.ToArray(), "same"u8.ToArray());
        var next = await client.PublishAsync(topic, "fine"u8.ToArray(), "same"u8.ToArray());
        var attempts = 0;
        var handled = new HandledRecords();
        var recorder = handled.Handler("a");
        var options = OnlyFinalAcks();
        options.ImmediateRetries = 1;
        options.DelayedRetries = 2;

        await using (RunningConsumer.Start(client, group, new DelegateHandler((record, context, cancellationToken) =>
        {
            if (record.Offset == poison.Offset)
            {
                Interlocked.Increment(ref attempts);
                throw new FormatException("not an order");
            }

            return recorder.HandleAsync(record, context, cancellationToken);
        }), options))
        {
            await handled.UntilDistinctAsync(1);
        }

        Assert.Equal(4, attempts);
        Assert.Equal(next.Offset, handled.All.Single().Offset);
        Assert.Equal(next.Offset, (await client.GetOffsetsAsync(group))[poison.Partition]);

        var letter = await DeadLetterAsync(client, $"{topic}.dlt");
        Assert.Equal("poison", Encoding.UTF8.GetString(letter.Value.Span));
        Assert.Equal("same", Encoding.UTF8.GetString(letter.Key.Span));
        var headers = letter.Event!.Extensions;
        Assert.Equal(topic, headers[DeadLetters.Topic]);
        Assert.Equal(poison.Partition.ToString(), headers[DeadLetters.Partition]);
        Assert.Equal(poison.Offset.ToString(), headers[DeadLetters.Offset]);
        Assert.Equal("g", headers[DeadLetters.Group]);
        Assert.Equal("3", headers[DeadLetters.GroupVersion]);
        Assert.Equal("4", headers[DeadLetters.Attempts]);
        Assert.Contains("not an order", headers[DeadLetters.Reason]);
        Assert.Equal(typeof(FormatException).FullName, headers[DeadLetters.ExceptionType]);
        Assert.Equal("not an order", headers[DeadLetters.ExceptionMessage]);
    }

    [Fact]
    public async Task Handler_dead_letter_keeps_the_event_attributes_and_names_the_reason()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var sent = new CloudEvent("evt-7", "com.example.order", new Uri("/orders", UriKind.Relative)) { Data = "{}"u8.ToArray(), DataContentType = "application/json" };
        await client.PublishAsync(topic, sent, "k"u8.ToArray());
        var options = OnlyFinalAcks();
        options.DeadLetterTopic = NewName("letters");

        await using var consumer = RunningConsumer.Start(client, group, new DelegateHandler((_, _, _) => ValueTask.FromResult(HandleResult.DeadLetter("unknown customer"))), options);

        var letter = await DeadLetterAsync(client, options.DeadLetterTopic);
        Assert.Equal("evt-7", letter.Event!.Id);
        Assert.Equal("com.example.order", letter.Event.Type);
        Assert.Equal("application/json", letter.Event.DataContentType);
        Assert.Equal("unknown customer", letter.Event.Extensions[DeadLetters.Reason]);
        Assert.Equal("1", letter.Event.Extensions[DeadLetters.Attempts]);
        Assert.False(letter.Event.Extensions.ContainsKey(DeadLetters.ExceptionType));
    }

    [Fact]
    public async Task Record_whose_dead_letter_cannot_be_published_is_not_acknowledged()
    {
        var client = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        var poison = await client.PublishAsync(topic, "poison"u8.ToArray(), "k"u8.ToArray());
        var logs = new CapturingLoggerProvider();
        var options = OnlyFinalAcks();
        options.ImmediateRetries = 0;
        options.DelayedRetries = 0;
        options.DeadLetterTopic = "not a topic name";
        var consumer = new LiiklusConsumer(client, group, options, new Microsoft.Extensions.Logging.Logger<LiiklusConsumer>(new Microsoft.Extensions.Logging.LoggerFactory([logs])));
        using var stop = new CancellationTokenSource();
        var run = consumer.RunAsync(new DelegateHandler((_, _, _) => throw new InvalidOperationException("boom")), stop.Token);

        await Eventually.Until(
            () => Task.FromResult(logs.Lines.Count(l => l.Line.Contains("dead-letter topic not a topic name failed"))),
            failures => failures >= 2,
            "two failed dead-letter publishes");
        await stop.CancelAsync();
        await run.WaitAsync(LiiklusClientExtensions.Deadline);

        Assert.DoesNotContain(poison.Partition, (await client.GetOffsetsAsync(group)).Keys);
    }

    [Fact]
    public async Task Consumer_subscribes_again_after_its_connection_drops_and_handles_nothing_twice()
    {
        await using var proxy = TcpProxy.Start(Fixture.Gateway.Address);
        var publisher = NewClient();
        var topic = NewName("topic");
        var group = new ConsumerGroup(topic, "g");
        await PublishAsync(publisher, topic, 50);
        var handled = new HandledRecords();
        await using var consumer = RunningConsumer.Start(NewClient(proxy.Address, TimeSpan.FromSeconds(2)), group, handled.Handler("a"), OnlyFinalAcks());
        await handled.UntilDistinctAsync(50);

        proxy.Cut(refuse: true);
        await Eventually.Until(() => Task.FromResult(consumer.Consumer.State), state => state == ConsumerState.Reconnecting, "reconnecting");
        await PublishAsync(publisher, topic, 50, from: 50);
        proxy.Accept();
        await handled.UntilDistinctAsync(100);
        await consumer.StopAsync();

        Assert.Empty(handled.Duplicates);
        Assert.Equal(8, (await publisher.GetOffsetsAsync(group)).Count);
    }

    /// <summary>The first record published to <paramref name="topic"/>, once there is one.</summary>
    private static async Task<LiiklusRecord> DeadLetterAsync(LiiklusClient client, string topic)
    {
        var ends = await Eventually.Until(() => client.GetEndOffsetsAsync(topic), e => e.Values.Any(o => o >= 0), "a dead letter");
        var partition = ends.First(e => e.Value >= 0).Key;
        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        await using var subscription = client.SubscribeAsync(new ConsumerGroup(topic, "reader"), OffsetReset.Earliest, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var assignment = await AssignmentOfAsync(subscription, partition);
        return await client.ReceiveAsync(assignment, cancellationToken: timeout.Token).FirstAsync(timeout.Token);
    }
}
