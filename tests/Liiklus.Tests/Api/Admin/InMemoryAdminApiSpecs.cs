using System.Text;
using Liiklus.Protocol.Admin;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api.Admin;

/// <summary>The admin API on the in-memory records and positions storages.</summary>
public sealed class InMemoryAdminApiSpecs : AdminApiContract
{
    protected override Task<TestGateway> StartGatewayAsync() => TestGateway.StartAsync();

    // The Kafka storage publishes an empty key as no key (as Liiklus does), so only here can a record keep an empty one.
    [Fact]
    public async Task Browse_tells_an_empty_key_from_no_key()
    {
        await using var gateway = await StartGatewayAsync();
        var topic = NewName("topic");
        var storage = gateway.Services.GetRequiredService<IRecordsStorage>();
        await storage.PublishAsync(topic, new OutgoingRecord([], Encoding.UTF8.GetBytes("empty key"), [], DateTimeOffset.UtcNow), CancellationToken.None);
        await storage.PublishAsync(topic, new OutgoingRecord(null, Encoding.UTF8.GetBytes("no key"), [], DateTimeOffset.UtcNow), CancellationToken.None);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var call = gateway.Admin.Browse(new BrowseRequest { Topic = topic }, cancellationToken: deadline.Token);
        var read = new List<BrowsedRecord>();
        while (await call.ResponseStream.MoveNext(deadline.Token))
        {
            read.Add(call.ResponseStream.Current);
        }

        var emptyKey = Assert.Single(read, r => r.Value.ToStringUtf8() == "empty key");
        var noKey = Assert.Single(read, r => r.Value.ToStringUtf8() == "no key");
        Assert.True(emptyKey.HasKey);
        Assert.True(emptyKey.Key.IsEmpty);
        Assert.False(noKey.HasKey);
    }
}
