using Liiklus.Api.Files;

namespace Liiklus.Api.Security;

/// <summary>Reads the security files again when they change (<see cref="WatchedFiles"/>), one material after another.</summary>
public sealed class SecurityFileReloader(IReadOnlyList<IReloadable> reloadables, ILogger<SecurityFileReloader> logger) : WatchedFilesService
{
    protected override IReadOnlyCollection<string> WatchedPaths { get; } = reloadables.SelectMany(reloadable => reloadable.Paths).ToList();

    protected override async Task ReloadAsync(CancellationToken stopping)
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
