using System.Threading.Channels;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Liiklus.Api.Files;

/// <summary>
/// Files the gateway reads again when they change (the schema document, TLS certificates and keys, the JWKS file),
/// all watched one way: <see cref="PhysicalFileProvider.Watch"/> with active polling, and
/// <see cref="ChangeToken.OnChange(Func{IChangeToken}, Action)"/>. Polling rather than file-system events: mounted
/// secrets and ConfigMaps are swapped by renaming a symbolic link beside the file, and events do not cross every
/// kind of volume; the provider follows links to the file they name. Changes seen while a reload runs bring one more.
/// </summary>
public sealed class WatchedFiles : IAsyncDisposable
{
    private readonly List<PhysicalFileProvider> _providers;
    private readonly IDisposable _subscription;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _reloading;

    /// <param name="paths">the files; each is watched in its own folder</param>
    /// <param name="reload">reads the files again; called once at a time, and its failures are its own to report</param>
    public WatchedFiles(IEnumerable<string> paths, Func<CancellationToken, Task> reload)
    {
        var files = paths.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        _providers = files.Select(path => new PhysicalFileProvider(Path.GetDirectoryName(path)!, ExclusionFilters.None)
        {
            UsePollingFileWatcher = true,
            UseActivePolling = true,
        }).ToList();
        _subscription = ChangeToken.OnChange(
            () => new CompositeChangeToken(files.Select((path, i) => _providers[i].Watch(Path.GetFileName(path))).ToList()),
            () => _changes.Writer.TryWrite(true));
        _reloading = ReloadOnChangesAsync(reload, _stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _stopping.CancelAsync();
        _changes.Writer.TryComplete();
        await _reloading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _stopping.Dispose();
    }

    private async Task ReloadOnChangesAsync(Func<CancellationToken, Task> reload, CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            await foreach (var _ in _changes.Reader.ReadAllAsync(stopping))
            {
                await reload(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
