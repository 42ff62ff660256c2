namespace Liiklus.Api.Files;

/// <summary>
/// A hosted service that reads files again when they change (<see cref="WatchedFiles"/>), from its start to its stop,
/// or to its disposal for a host disposed without a stop (the container may hold it twice: as itself and as a hosted
/// service).
/// </summary>
public abstract class WatchedFilesService : IHostedService, IAsyncDisposable
{
    private WatchedFiles? _watch;

    /// <summary>The files to watch, read at start; none: nothing is watched.</summary>
    protected abstract IReadOnlyCollection<string> WatchedPaths { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (WatchedPaths is { Count: > 0 } paths)
        {
            _watch = new WatchedFiles(paths, ReloadAsync);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _watch, null) is { } watch)
        {
            await watch.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _watch, null) is { } watch)
        {
            await watch.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Reads the files again; called once at a time, and its failures are its own to report.</summary>
    protected abstract Task ReloadAsync(CancellationToken stopping);
}
