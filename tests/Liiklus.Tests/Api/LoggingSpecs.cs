using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>What an operator reads in the gateway's log at its default level.</summary>
public sealed class LoggingSpecs
{
    [Fact]
    public async Task Calls_and_clients_that_go_away_write_no_request_lines_and_no_failures()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync("akka.loglevel = INFO", logs.AddAsConsoleWouldSee, "--Logging:LogLevel:Default=Information");
        var topic = NewName("topic");
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");
        var group = NewName("group");
        var subscription = gateway.Client.Subscribe(topic, group);
        var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition));
        await receive.ReadAsync(1);

        // The client goes away in the middle of its streams.
        receive.Dispose();
        subscription.Dispose();
        await Eventually.Until(
            () => Task.FromResult(logs.Lines.Any(l => l.Line.Contains("Rebalanced topic " + topic, StringComparison.Ordinal))),
            seen => seen,
            "the coordinator's rebalance after the subscriber left");

        var lines = logs.Lines;
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);
        Assert.DoesNotContain(lines, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || l.Category.StartsWith("Grpc", StringComparison.Ordinal));
        // Akka's lines come through the host's loggers under the logging class, without Akka's own prefix inside.
        // The coordinator's lines name the group as well as the topic: many groups share a topic.
        var coordinator = Assert.Single(lines, l => l.Line.StartsWith($"Group coordinator for topic {topic} group {group} ready with 8 partitions", StringComparison.Ordinal));
        Assert.Equal("Liiklus.Actors.Groups.GroupCoordinator", coordinator.Category);
        Assert.Contains(lines, l => l.Line.StartsWith($"Rebalanced topic {topic} group {group} over", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Line.StartsWith("[INFO]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_lines_are_written_once_the_operator_raises_asp_net_cores_level()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await TestGateway.StartAsync("", logs.AddAsConsoleWouldSee, "--Logging:LogLevel:Microsoft.AspNetCore=Information");

        await gateway.Client.PublishAsync(NewName("topic"), "v");

        await Eventually.Until(
            () => Task.FromResult(logs.Lines.Where(l => l.Category == "Microsoft.AspNetCore.Hosting.Diagnostics").Select(l => l.Line).ToList()),
            lines => lines.Any(line => line.StartsWith("Request finished", StringComparison.Ordinal) && line.Contains("/Publish", StringComparison.Ordinal)),
            "the Publish call's request lines");
    }
}
