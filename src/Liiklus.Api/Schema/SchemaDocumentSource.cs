using Liiklus.Api.Files;

namespace Liiklus.Api.Schema;

/// <summary>
/// The schema document in force. It is loaded while the gateway is built, so a missing or invalid document stops
/// start-up; a <c>file:</c> document is watched (<see cref="WatchedFiles"/>) and reloaded when its content changes (a
/// document that no longer parses is logged and the previous one stays in force). An <c>http(s):</c> document is read once.
/// </summary>
public sealed class SchemaDocumentSource : WatchedFilesService
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _url;
    private readonly ILogger<SchemaDocumentSource> _logger;
    private SchemaDocument _current;
    private byte[] _currentBytes;

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

    // Content decides whether it changed: a touch or a swap to the same document reloads nothing.
    protected override IReadOnlyCollection<string> WatchedPaths => _url.IsFile ? [_url.LocalPath] : [];

    protected override async Task ReloadAsync(CancellationToken stopping)
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
