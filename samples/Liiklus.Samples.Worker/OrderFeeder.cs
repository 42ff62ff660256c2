using Grpc.Core;
using Liiklus.Client;

namespace Liiklus.Samples.Worker;

/// <summary>
/// Publishes a few demo orders when the worker starts (<c>Sample:PublishOrders</c>, default true), so one run shows
/// every path: billed orders, a shipped event skipped, an invalid order dead-lettered at once, a customer whose billing
/// is down for two attempts (billed on the third) and one whose billing stays down (dead-lettered after its retries).
/// </summary>
public sealed class OrderFeeder(LiiklusPublisher publisher, SampleSettings settings, ILogger<OrderFeeder> logger) : BackgroundService
{
    public static IReadOnlyList<(Order Order, string Type)> DemoOrders(string run) =>
    [
        (new Order($"{run}-1", "acme", 12.50m), OrderHandler.OrderCreated),
        (new Order($"{run}-2", "globex", 99m), OrderHandler.OrderCreated),
        (new Order($"{run}-2", "globex", 99m), "com.example.order.shipped"),
        (new Order($"{run}-3", "initech", -5m), OrderHandler.OrderCreated),
        (new Order($"{run}-4", SampleSettings.FlakyCustomer, 40m), OrderHandler.OrderCreated),
        (new Order($"{run}-5", SampleSettings.DownCustomer, 7m), OrderHandler.OrderCreated),
        (new Order($"{run}-6", "acme", 3m), OrderHandler.OrderCreated),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.PublishOrders)
        {
            return;
        }

        var run = DateTime.UtcNow.ToString("HHmmss");
        foreach (var (order, type) in DemoOrders(run))
        {
            // The gateway may not be up yet: keep trying, the host's start never waits for it.
            while (true)
            {
                try
                {
                    var stored = await publisher.PublishAsync(
                        settings.Topic,
                        order,
                        System.Text.Encoding.UTF8.GetBytes(order.Customer),
                        new EventAttributes { Type = type },
                        stoppingToken);
                    logger.LogInformation("Published {Type} of order {OrderId} to partition {Partition} at offset {Offset}", type, order.Id, stored.Partition, stored.Offset);
                    break;
                }
                catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Publishing order {OrderId} failed ({Status}); trying again", order.Id, e.StatusCode);
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
            }
        }
    }
}
