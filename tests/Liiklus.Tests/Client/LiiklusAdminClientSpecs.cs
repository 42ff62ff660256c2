using Liiklus.Client;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Liiklus.Tests.Client;

/// <summary>The typed admin client against the gateway (its verbs end to end: the CLI specs).</summary>
public sealed class LiiklusAdminClientSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Admin_client_registered_with_the_client_describes_a_group_in_next_record_offsets()
    {
        var topic = NewName("topic");
        var client = NewClient();
        var published = await client.PublishAsync(topic, "v0"u8.ToArray(), "k"u8.ToArray());
        await client.PublishAsync(topic, "v1"u8.ToArray(), "k"u8.ToArray());
        var group = new ConsumerGroup(topic, "billing", 3);
        await client.AckAsync(group, published.Partition, published.Offset);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLiiklusClient(options => options.Address = new Uri(Fixture.Gateway.Address));
        using var host = builder.Build();
        var admin = host.Services.GetRequiredService<LiiklusAdminClient>();

        var description = await admin.DescribeGroupAsync(group);
        var topicDescription = await admin.DescribeTopicAsync(topic);
        var groups = await admin.ListGroupsAsync(topic);

        Assert.Equal(group, description.Group);
        var partition = Assert.Single(description.Partitions, p => p.Position is not null);
        Assert.Equal((published.Partition, 1UL, 2UL, 1UL), (partition.Partition, partition.Position!.Value, partition.EndOffset, partition.Lag));
        Assert.All(description.Partitions.Where(p => p.Partition != published.Partition), p => Assert.Null(p.Position));
        Assert.Equal(new TopicPartitionOffsets(published.Partition, 0, 2), topicDescription.Partitions.Single(p => p.Partition == published.Partition));
        var summary = Assert.Single(groups);
        Assert.Equal(("billing", 3U, true, 1UL), (summary.Name, summary.Versions.Single().Version, summary.Versions.Single().IsLatest, summary.Versions.Single().Lag));
        Assert.Contains(topic, await admin.ListTopicsAsync());
    }
}
