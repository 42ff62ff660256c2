using Grpc.Net.Client;

namespace Liiklus.Bench;

/// <summary>
/// The channels and streaming calls a benchmark's clients keep open, and the tasks reading them: stopped together,
/// calls first, then their readers awaited, then the channels closed.
/// </summary>
internal sealed class OpenCalls : IAsyncDisposable
{
    private readonly List<GrpcChannel> _channels = [];
    private readonly List<IDisposable> _calls = [];
    private readonly List<Task> _reading = [];
    private readonly CancellationTokenSource _stop = new();

    public CancellationToken Stopping => _stop.Token;

    public IReadOnlyList<GrpcChannel> Channels => _channels;

    public GrpcChannel Open(GrpcChannel channel)
    {
        _channels.Add(channel);
        return channel;
    }

    /// <summary>Keeps <paramref name="call"/> until the end; safe from concurrent callers.</summary>
    public T Keep<T>(T call)
        where T : IDisposable
    {
        lock (_calls)
        {
            _calls.Add(call);
        }

        return call;
    }

    /// <summary>Awaits <paramref name="reading"/> at the end; safe from concurrent callers.</summary>
    public void Reading(Task reading)
    {
        lock (_reading)
        {
            _reading.Add(reading);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var call in _calls)
        {
            call.Dispose();
        }

        await Task.WhenAll(_reading);
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        _stop.Dispose();
    }
}
