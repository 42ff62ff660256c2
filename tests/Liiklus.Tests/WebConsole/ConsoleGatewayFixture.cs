using Google.Protobuf;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.WebConsole;

/// <summary>
/// One gateway (in-memory storages, 4 partitions a topic) with real records and groups, and one browser, shared by
/// the console's browser specs: "orders" holds 12 keyed JSON records and a CloudEvent; "billing" has acked the first
/// record of each partition it was given, "audit" everything.
/// </summary>
public sealed class ConsoleGatewayFixture : IAsyncLifetime
{
    public const string Orders = "orders";
    public const int OrderCount = 12;

    private TestGateway? _gateway;
    private ConsoleBrowser? _browser;

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public ConsoleBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    /// <summary>The console's address: /console on the operations port.</summary>
    public string Console => $"{Gateway.OperationsAddress}/console";

    /// <summary>Records per partition of "orders", as published.</summary>
    public IReadOnlyDictionary<uint, int> OrdersPerPartition { get; private set; } = new Dictionary<uint, int>();

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync("liiklus.storage.memory.partitions-per-topic = 4");
        _browser = await ConsoleBrowser.LaunchAsync();
        var published = new List<PublishReply>();
        for (var i = 1; i <= OrderCount; i++)
        {
            published.Add(await Gateway.Client.PublishAsync(Orders, $$"""{"order":{{i}},"amount":{{i * 10}}}""", key: $"order-{i}"));
        }

        published.Add(await Gateway.Client.PublishAsync(new PublishRequest
        {
            Topic = Orders,
            Key = ByteString.CopyFromUtf8("event-1"),
            LiiklusEvent = new LiiklusEvent
            {
                Id = "evt-1",
                Type = "com.example.order.shipped",
                Source = "/warehouse",
                Time = "2026-12-01T10:00:00Z",
                DataContentType = "application/json",
                Data = ByteString.CopyFromUtf8("""{"shipped":true}"""),
                Extensions = { ["tenant"] = "acme" },
            },
        }));
        OrdersPerPartition = published.GroupBy(p => p.Partition).ToDictionary(g => g.Key, g => g.Count());
        foreach (var first in published.GroupBy(p => p.Partition).Select(g => g.MinBy(p => p.Offset)!))
        {
            await Gateway.Client.AckAsync(new AckRequest { Topic = Orders, Group = "billing", Partition = first.Partition, Offset = first.Offset });
        }

        foreach (var last in published.GroupBy(p => p.Partition).Select(g => g.MaxBy(p => p.Offset)!))
        {
            await Gateway.Client.AckAsync(new AckRequest { Topic = Orders, Group = "audit", Partition = last.Partition, Offset = last.Offset });
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
