using System.Threading.Channels;

namespace Liiklus.Api.Schema;

/// <summary>
/// The schema document in force. It is loaded while the gateway is built, so a missing or invalid document stops
/// start-up; a <c>file:</c> document is watched and reloaded when its content changes (a document that no longer
/// parses is logged and the previous one stays in force). An <c>http(s):</c> document is read once.
/// </summary>
public sealed class SchemaDocumentSource : IHostedService, IDisposable
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _url;
    private readonly ILogger<SchemaDocumentSource> _logger;
    // Capacity one, dropping further signals: a change seen while a reload runs is kept, bursts become one reload.
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly CancellationTokenSource _stopping = new();
    private SchemaDocument _current;
    private byte[] _currentBytes;
    private FileSystemWatcher? _watcher;
    private Task _reloading = Task.CompletedTask;
    private int _disposed;

    public SchemaDocumentSource(Uri url, LoadedSchemaDocument initial, ILogger<SchemaDocumentSource> logger)
    {
        _url = url;
        _current = initial.Document;
        _currentBytes = initial.Bytes;
        _logger = logger;
    }

    public SchemaDocument Current => Volatile.Read(ref _current);

    /// <summary>Reads and parses the document, blocking: only while the gateway is being built.</summary>
    /// <exception cref="InvalidOperationException">the document cannot be read or is not a valid schema document</exception>
    public static LoadedSchemaDocument LoadAtStart(Uri url)
    {
        byte[] bytes;
        try
        {
            bytes = url.IsFile ? File.ReadAllBytes(url.LocalPath) : Download(url);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException($"schema_schemaURL '{Describe(url)}' cannot be read: {e.Message}", e);
        }

        try
        {
            // Blocks the thread that builds the gateway (Program's main thread), before any request, actor or dispatcher.
            return new LoadedSchemaDocument(SchemaDocument.ParseAsync(System.Text.Encoding.UTF8.GetString(bytes)).GetAwaiter().GetResult(), bytes);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"schema_schemaURL '{Describe(url)}' is not a valid schema document: {e.Message}", e);
        }
    }

    /// <summary>A URL fit for logs and messages: no user info, query or fragment, which may hold credentials.</summary>
    public static string Describe(Uri url) =>
        url.IsFile ? url.LocalPath : url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    public static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? Describe(parsed) : url.Split('?', '#')[0];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_url.IsFile)
        {
            return Task.CompletedTask;
        }

        // The whole folder is watched, not the file alone: a Kubernetes ConfigMap is updated by swapping a symlinked
        // folder beside the file, which a watch on the file's name never sees. Content decides whether it changed.
        var path = _url.LocalPath;
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => _changes.Writer.TryWrite(true);
        _watcher.Created += (_, _) => _changes.Writer.TryWrite(true);
        _watcher.Renamed += (_, _) => _changes.Writer.TryWrite(true);
        _watcher.Deleted += (_, _) => _changes.Writer.TryWrite(true);
        _watcher.Error += (_, e) =>
        {
            _logger.LogWarning(e.GetException(), "Watching schema document {Document} failed; checking it now", Describe(_url));
            _changes.Writer.TryWrite(true);
        };
        try
        {
            _watcher.EnableRaisingEvents = true;
        }
        catch (IOException e)
        {
            // Out of inotify watches, most likely: validation goes on with the document loaded at start.
            _logger.LogWarning("Schema document {Document} cannot be watched ({Reason}); changes to it take effect at the next start",
                Describe(_url), e.Message);
            return Task.CompletedTask;
        }

        _reloading = ReloadOnChangesAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        await _stopping.CancelAsync();
        _changes.Writer.TryComplete();
        await _reloading.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // The container holds this both as itself and as a hosted service, so it may be disposed twice.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _watcher?.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task ReloadOnChangesAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var _ in _changes.Reader.ReadAllAsync(stopping))
            {
                await ReloadAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ReloadAsync(CancellationToken stopping)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(_url.LocalPath, stopping);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Being replaced, most likely: the next change event brings the new file.
            _logger.LogWarning("Schema document {Document} cannot be read ({Reason}); the previous one stays in force", Describe(_url), e.Message);
            return;
        }

        if (bytes.AsSpan().SequenceEqual(_currentBytes))
        {
            return;
        }

        try
        {
            var document = await SchemaDocument.ParseAsync(System.Text.Encoding.UTF8.GetString(bytes));
            Volatile.Write(ref _current, document);
            _currentBytes = bytes;
            _logger.LogInformation("Schema document {Document} reloaded: {EventTypes} event types", Describe(_url), document.Events.Count);
        }
        catch (FormatException e)
        {
            _logger.LogError("Schema document {Document} changed but is not valid ({Reason}); the previous one stays in force", Describe(_url), e.Message);
        }
    }

    private static byte[] Download(Uri url)
    {
        using var client = new HttpClient { Timeout = HttpTimeout };
        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, url));
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        using var body = response.Content.ReadAsStream();
        using var buffer = new MemoryStream();
        body.CopyTo(buffer);
        return buffer.ToArray();
    }
}
