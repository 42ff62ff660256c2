using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>Many calls, groups and slow clients on one gateway.</summary>
public sealed class FanOutSpecs
{
    [Fact]
    public async Task More_than_a_hundred_concurrent_calls_on_one_connection_all_deliver()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.storage.memory.partitions-per-topic = 32");
        var topic = NewName("topic");
        for (var partition = 0; partition < 32; partition++)
        {
            await gateway.Client.PublishAsync(topic, $"p{partition}", key: Keys.ForPartition(partition, 32));
        }

        // One HTTP/2 connection, as a Liiklus client multiplexes all its calls: 4 Subscribe + 128 Receive calls. (A
        // GrpcChannel opens more connections past the server's limit unless told not to.)
        using var channel = GrpcChannel.ForAddress(gateway.Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false },
        });
        var client = new LiiklusService.LiiklusServiceClient(channel);
        var subscriptions = Enumerable.Range(0, 4).Select(_ => client.Subscribe(topic, NewName("group"))).ToList();
        var receives = new List<AsyncServerStreamingCall<ReceiveReply>>();
        foreach (var subscription in subscriptions)
        {
            receives.AddRange((await subscription.NextAsync(32)).Select(assignment => client.Receive(assignment)));
        }

        var firsts = await Task.WhenAll(receives.Select(receive => receive.ReadAsync(1, TimeSpan.FromSeconds(30))));

        Assert.Equal(128, firsts.Length);
        Assert.All(firsts, first => Assert.Equal(0UL, first.Single().Record.Offset));
        foreach (var call in receives)
        {
            call.Dispose();
        }

        subscriptions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Stalled_streams_of_large_records_stay_within_the_node_budget_and_a_new_receive_is_refused_once_it_is_spent()
    {
        const int budget = 24 * 1024 * 1024;
        await using var gateway = await TestGateway.StartAsync($"""
            liiklus.storage.memory.partitions-per-topic = 1
            liiklus.receive.buffer-bytes = 1MiB
            liiklus.receive.memory-budget = {budget}
            liiklus.publish.max-record-size-bytes = 1048576
            """);
        var node = gateway.Services.GetRequiredService<ByteBudget>();
        var topic = NewName("topic");
        var megabyte = ByteString.CopyFrom(new byte[1024 * 1024 - 1024]);
        for (var i = 0; i < 16; i++)
        {
#pragma warning disable CS0612
            await gateway.Client.PublishAsync(new PublishRequest { Topic = topic, Value = megabyte });
#pragma warning restore CS0612
        }

        // Each group's client reads one record and stops: its stream holds what its allowance lets through, no more.
        // Once the stalled streams have spent the budget, a stream already open waits for room; a new one is refused.
        var stalled = new List<(Support.Subscription Subscription, AsyncServerStreamingCall<ReceiveReply> Receive)>();
        RpcException? refused = null;
        var peak = 0L;
        for (var group = 0; group < 40 && refused is null; group++)
        {
            var subscription = gateway.Client.Subscribe(topic, NewName("group"));
            var receive = gateway.Client.Receive(await subscription.NextAsync());
            stalled.Add((subscription, receive));
            try
            {
                await receive.ReadAsync(1, TimeSpan.FromSeconds(5));
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                refused = e;
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // No room left for this stream's first record: it waits, as it should.
            }

            peak = Math.Max(peak, node.Used);
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("memory budget", refused.Status.Detail);
        Assert.InRange(peak, 1, budget);
        foreach (var (subscription, receive) in stalled)
        {
            receive.Dispose();
            subscription.Dispose();
        }

        await Eventually.Until(() => Task.FromResult(node.Used), used => used == 0, "bytes given back once the streams ended");
    }

    [Fact]
    public async Task Kafka_threads_stay_bounded_with_two_thousand_streams()
    {
        using var cluster = new MockKafkaCluster();
        await using var gateway = await TestGateway.StartAsync(cluster.GatewayHocon + "\nliiklus.storage.kafka.max-consumers = 4");
        var topic = cluster.NewTopic(32);
        var threadsBefore = Process.GetCurrentProcess().Threads.Count;

        // 63 groups × 32 partitions of one empty topic: every stream is at its partition's tail.
        var subscriptions = Enumerable.Range(0, 63).Select(_ => gateway.Client.Subscribe(topic, NewName("group"))).ToList();
        var receives = new List<AsyncServerStreamingCall<ReceiveReply>>();
        foreach (var subscription in subscriptions)
        {
            receives.AddRange((await subscription.NextAsync(32)).Select(assignment => gateway.Client.Receive(assignment)));
        }

        var readers = receives.Select(receive => receive.ReadAsync(1, TimeSpan.FromSeconds(60))).ToList();
        var storage = gateway.Services.GetRequiredService<Liiklus.Storage.Records.Kafka.KafkaRecordsStorage>();
        await Eventually.Until(() => Task.FromResult(storage.SharedTails), tails => tails == 32, "every partition's tail started", TimeSpan.FromSeconds(60));
        await Eventually.Until(
            () => Task.FromResult(Enumerable.Range(0, 32).All(p => storage.SharedTailWindow(topic, p) is not null)),
            ready => ready,
            "every tail knows where it starts");
        for (var partition = 0; partition < 32; partition++)
        {
            await gateway.Client.PublishAsync(topic, $"p{partition}", key: Keys.ForPartition(partition, 32));
        }

        var firsts = await Task.WhenAll(readers);
        var kafkaThreads = Process.GetCurrentProcess().Threads.Count - threadsBefore;

        Assert.Equal(2016, firsts.Length);
        Assert.True(storage.ConsumerCount <= 4, $"{storage.ConsumerCount} consumers");
        // Each consumer brings its poll thread and librdkafka's (main, broker, bootstrap); the rest is thread-pool growth.
        Assert.True(kafkaThreads < 120, $"{kafkaThreads} threads more than before the streams opened");
        foreach (var call in receives)
        {
            call.Dispose();
        }

        subscriptions.ForEach(s => s.Dispose());
    }
}
