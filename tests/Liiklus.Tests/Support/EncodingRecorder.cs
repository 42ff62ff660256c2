using System.Collections.Concurrent;

namespace Liiklus.Tests.Support;

/// <summary>
/// A client's HTTP handler that notes what Grpc.Net.Client does not show its caller: the gRPC encoding headers of each
/// call and, for each reply message, whether its frame is flagged compressed, keyed by the method's name.
/// </summary>
public sealed class EncodingRecorder() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, (string? Request, string? AcceptedByClient, string? Response)> _calls = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<bool>> _compressedReplies = new();

    public string? RequestEncoding(string method) => _calls.GetValueOrDefault(method).Request;

    public string AcceptedByClient(string method) => _calls.GetValueOrDefault(method).AcceptedByClient ?? "";

    public string? ResponseEncoding(string method) => _calls.GetValueOrDefault(method).Response;

    /// <summary>For each reply message read so far, in order: whether it came compressed.</summary>
    public IReadOnlyList<bool> CompressedReplies(string method) => [.. _compressedReplies.GetOrAdd(method, _ => new ConcurrentQueue<bool>())];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var method = request.RequestUri!.Segments[^1];
        _calls[method] = (Header(request.Headers, "grpc-encoding"), Header(request.Headers, "grpc-accept-encoding"), Header(response.Headers, "grpc-encoding"));
        var original = response.Content;
        var frames = new GrpcFrameFlags(await original.ReadAsStreamAsync(cancellationToken), _compressedReplies.GetOrAdd(method, _ => new ConcurrentQueue<bool>()));
        var content = new StreamContent(frames);
        foreach (var header in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }

    private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
