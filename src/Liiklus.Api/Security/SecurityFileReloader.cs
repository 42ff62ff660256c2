using Liiklus.Api.Files;

namespace Liiklus.Api.Security;

/// <summary>Reads the security files again when they change (<see cref="WatchedFiles"/>), one material after another.</summary>
public sealed class SecurityFileReloader(IReadOnlyList<IReloadable> reloadables, ILogger<SecurityFileReloader> logger) : IHostedService, IAsyncDisposable
{
    private WatchedFiles? _watch;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = new WatchedFiles(reloadables.SelectMany(reloadable => reloadable.Paths), ReloadAsync);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _watch, null) is { } watch)
        {
            await watch.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // For a host disposed without being stopped; the container may hold this twice (as itself and as a hosted service).
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _watch, null) is { } watch)
        {
            await watch.DisposeAsync();
        }
    }

    private async Task ReloadAsync(CancellationToken stopping)
    {
        foreach (var reloadable in reloadables)
        {
            try
            {
                await reloadable.ReloadIfChangedAsync(stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Checking {Material} for changes failed: {Problem}", reloadable.GetType().Name, e.Message);
            }
        }
    }
}
