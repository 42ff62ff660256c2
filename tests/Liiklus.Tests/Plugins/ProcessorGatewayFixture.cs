using Liiklus.Plugins;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Plugins;

/// <summary>A gateway whose only record processor is a <see cref="ValueTriggeredProcessor"/>.</summary>
public sealed class ProcessorGatewayFixture : IAsyncLifetime
{
    private TestGateway? _gateway;

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public LiiklusService.LiiklusServiceClient Client => Gateway.Client;

    public async Task InitializeAsync()
    {
        var processor = new ValueTriggeredProcessor();
        _gateway = await TestGateway.StartAsync(configureServices: services => services
            .AddSingleton<IRecordPreProcessor>(processor)
            .AddSingleton<IRecordPostProcessor>(processor));
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
