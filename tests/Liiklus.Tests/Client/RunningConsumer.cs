using Liiklus.Client;

namespace Liiklus.Tests.Client;

/// <summary>A consumer's <see cref="LiiklusConsumer.RunAsync"/> in the background; disposing stops it gracefully.</summary>
public sealed class RunningConsumer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private RunningConsumer(LiiklusConsumer consumer, IRecordHandler handler)
    {
        Consumer = consumer;
        _run = consumer.RunAsync(handler, _stop.Token);
    }

    public LiiklusConsumer Consumer { get; }

    public static RunningConsumer Start(LiiklusClient client, ConsumerGroup group, IRecordHandler handler, LiiklusConsumerOptions options) =>
        new(new LiiklusConsumer(client, group, options), handler);

    public static RunningConsumer Start(LiiklusConsumer consumer, IRecordHandler handler) => new(consumer, handler);

    /// <summary>Stops as a host would: the records in hand finish, what was handled is acknowledged.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}
