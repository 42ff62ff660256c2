namespace Liiklus.Api.Security;

/// <summary>
/// Checks the security files every <c>liiklus.grpc.reload-interval</c>. Polling rather than file-system events:
/// mounted secrets are swapped by renaming a symbolic link, and events do not cross every kind of volume.
/// </summary>
public sealed class SecurityFileReloader(IEnumerable<IReloadable> reloadables, TimeSpan interval, ILogger<SecurityFileReloader> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var reloadable in reloadables)
                {
                    try
                    {
                        await reloadable.ReloadIfChangedAsync(stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning("Checking {Material} for changes failed: {Problem}", reloadable.GetType().Name, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
