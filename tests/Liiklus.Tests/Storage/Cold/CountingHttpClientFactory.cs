using Amazon.Runtime;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>HTTP clients for the AWS SDK that count the requests they send: what a store really asked its server.</summary>
internal sealed class CountingHttpClientFactory : HttpClientFactory
{
    private long _requests;

    public long Requests => Interlocked.Read(ref _requests);

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Counting(this, new SocketsHttpHandler()));

    private sealed class Counting(CountingHttpClientFactory owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner._requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
