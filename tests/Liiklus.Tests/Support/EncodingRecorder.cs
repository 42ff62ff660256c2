using System.Collections.Concurrent;

namespace Liiklus.Tests.Support;

/// <summary>
/// A client's HTTP handler that notes the gRPC encoding headers of each call as they cross the wire (Grpc.Net.Client
/// does not show them to the caller), keyed by the method's name.
/// </summary>
public sealed class EncodingRecorder() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentDictionary<string, (string? Request, string? AcceptedByClient, string? Response)> _calls = new();

    public string? RequestEncoding(string method) => _calls.GetValueOrDefault(method).Request;

    public string AcceptedByClient(string method) => _calls.GetValueOrDefault(method).AcceptedByClient ?? "";

    public string? ResponseEncoding(string method) => _calls.GetValueOrDefault(method).Response;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var method = request.RequestUri!.Segments[^1];
        _calls[method] = (Header(request.Headers, "grpc-encoding"), Header(request.Headers, "grpc-accept-encoding"), Header(response.Headers, "grpc-encoding"));
        return response;
    }

    private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
