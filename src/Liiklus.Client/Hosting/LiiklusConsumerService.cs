using Microsoft.Extensions.Hosting;

namespace Liiklus.Client;

/// <summary>
/// A consumer run as a hosted service: its start never waits for the gateway, its stop finishes the records in
/// hand and acknowledges what was handled.
/// </summary>
public sealed class LiiklusConsumerService : BackgroundService
{
    private readonly IRecordHandler _handler;

    /// <summary>Runs <paramref name="consumer"/> with <paramref name="handler"/>.</summary>
    public LiiklusConsumerService(LiiklusConsumer consumer, IRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(handler);
        Consumer = consumer;
        _handler = handler;
    }

    /// <summary>The consumer run.</summary>
    public LiiklusConsumer Consumer { get; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await Consumer.RunAsync(_handler, stoppingToken).ConfigureAwait(false);
    }
}
