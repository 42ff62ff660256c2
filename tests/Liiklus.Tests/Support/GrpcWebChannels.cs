using System.Net;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace Liiklus.Tests.Support;

/// <summary>gRPC-Web channels, calling a port as the web console does from the browser.</summary>
public static class GrpcWebChannels
{
    /// <param name="address">e.g. the operations port, http://127.0.0.1:1234</param>
    /// <param name="http2">over HTTP/2 (to reach the gRPC port); HTTP/1.1, as browsers call the operations port, otherwise</param>
    public static GrpcChannel For(string address, bool http2 = false) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new SocketsHttpHandler()),
        HttpVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
        HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    });
}
