using Liiklus.Protocol;
using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>One gateway shared by the tests of a class; each test uses topics and groups of its own.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private TestGateway? _gateway;

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public LiiklusService.LiiklusServiceClient Client => Gateway.Client;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
