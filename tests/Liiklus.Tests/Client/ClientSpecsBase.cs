using System.Text;
using Liiklus.Client;
using Liiklus.Tests.Support;

namespace Liiklus.Tests.Client;

/// <summary>Clients of the shared test gateway and names of their own for each spec.</summary>
public abstract class ClientSpecsBase(GatewayFixture fixture) : IDisposable
{
    private readonly List<LiiklusClient> _clients = [];

    protected GatewayFixture Fixture { get; } = fixture;

    protected LiiklusClient NewClient(string? address = null, TimeSpan? callTimeout = null)
    {
        var client = new LiiklusClient(new LiiklusClientOptions
        {
            Address = new Uri(address ?? Fixture.Gateway.Address),
            CallTimeout = callTimeout ?? TimeSpan.FromSeconds(20),
        });
        _clients.Add(client);
        return client;
    }

    protected static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Publishes <paramref name="count"/> plain records with keys spread over the partitions.</summary>
    protected static async Task<List<PublishResult>> PublishAsync(LiiklusClient client, string topic, int count, int from = 0)
    {
        var published = new List<PublishResult>(count);
        for (var i = from; i < from + count; i++)
        {
            published.Add(await client.PublishAsync(topic, Encoding.UTF8.GetBytes($"v{i}"), Encoding.UTF8.GetBytes($"k{i}")));
        }

        return published;
    }

    /// <summary>Reads a subscription, left open, until it is assigned <paramref name="partition"/>.</summary>
    protected static async Task<PartitionAssignment> AssignmentOfAsync(IAsyncEnumerator<PartitionAssignment> subscription, int partition)
    {
        while (await subscription.MoveNextAsync())
        {
            if (subscription.Current.Partition == partition)
            {
                return subscription.Current;
            }
        }

        throw new InvalidOperationException($"The subscription ended before partition {partition} was assigned");
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
