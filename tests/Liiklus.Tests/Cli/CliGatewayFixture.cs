using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cli;

/// <summary>One gateway process (in-memory storages) shared by a class of command-line specs.</summary>
public sealed class CliGatewayFixture : IAsyncLifetime
{
    private GatewayProcess? _gateway;

    public GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

    /// <summary>The gateway as <c>-s</c> takes it.</summary>
    public string Server => $"127.0.0.1:{Gateway.GrpcPort}";

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>(), GatewayProcess.FreePort(), seedNodes: null);

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
