using System.Collections.Concurrent;
using System.Net;

namespace Liiklus.Tests.Support;

/// <summary>
/// An OTLP/HTTP endpoint on a free loopback port that keeps the bodies posted to it (protobuf, undecoded), so a test can
/// tell that spans were exported and look for a trace id's bytes in them.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        Port = GatewayProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<(string Path, byte[] Body)> Requests => [.. _requests];

    /// <summary>Whether any export to <paramref name="path"/> holds <paramref name="bytes"/>.</summary>
    public bool Received(string path, byte[] bytes) =>
        _requests.Any(r => r.Path == path && r.Body.AsSpan().IndexOf(bytes) >= 0);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _ = _serving.ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _requests.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
