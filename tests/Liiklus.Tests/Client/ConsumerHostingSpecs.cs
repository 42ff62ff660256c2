using System.Collections.Concurrent;
using Liiklus.Client;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Liiklus.Tests.Client;

public sealed class ConsumerHostingSpecs(GatewayFixture fixture) : ClientSpecsBase(fixture), IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Hosted_consumer_starts_while_the_gateway_is_unreachable_and_consumes_once_it_is_reachable()
    {
        await using var proxy = TcpProxy.Start(Fixture.Gateway.Address);
        proxy.Cut(refuse: true);
        var topic = NewName("topic");
        var publisher = NewClient();
        var published = await PublishAsync(publisher, topic, 20);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLiiklusClient(options => options.Address = new Uri(proxy.Address));
        builder.Services.AddLiiklusConsumer<CollectingHandler>(topic, "hosted", options =>
        {
            options.ReconnectDelay = TimeSpan.FromMilliseconds(50);
            options.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
        });
        builder.Services.AddHealthChecks().AddCheck<LiiklusConsumerHealthCheck>("liiklus");
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(5));
        await Eventually.Until(() => health.CheckHealthAsync(), report => report.Status == HealthStatus.Unhealthy, "unhealthy while the gateway is unreachable");

        proxy.Accept();
        var handler = host.Services.GetRequiredService<CollectingHandler>();
        await Eventually.Until(() => Task.FromResult(handler.Offsets.Count), count => count >= 20, "20 records handled");
        await Eventually.Until(() => health.CheckHealthAsync(), report => report.Status == HealthStatus.Healthy, "healthy once subscribed");
        await host.StopAsync();

        var lastOfEach = published.GroupBy(p => p.Partition).ToDictionary(p => p.Key, p => p.Max(r => r.Offset));
        Assert.Equal(lastOfEach, await publisher.GetOffsetsAsync(new ConsumerGroup(topic, "hosted")));
    }

    [Fact]
    public async Task Host_does_not_start_with_consumer_options_that_cannot_work()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLiiklusClient(options => options.Address = new Uri("http://127.0.0.1:1"));
        builder.Services.AddLiiklusConsumer<CollectingHandler>("topic", "g", options => options.AckBatchSize = 0);
        using var host = builder.Build();

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("AckBatchSize", failure.Message);
    }

    public sealed class CollectingHandler : IRecordHandler
    {
        public ConcurrentDictionary<(int, ulong), byte> Offsets { get; } = new();

        public ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken)
        {
            Offsets[(record.Partition, record.Offset)] = 0;
            return ValueTask.FromResult(HandleResult.Success);
        }
    }
}
