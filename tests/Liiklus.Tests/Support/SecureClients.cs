using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;

namespace Liiklus.Tests.Support;

/// <summary>gRPC clients of a secured gateway: TLS trusting a test CA, a client certificate, a bearer token.</summary>
public static class SecureClients
{
    /// <param name="trusted">the CA the server's certificate must chain to; null: plaintext (http://)</param>
    /// <param name="seen">told the certificate each new connection's server presented</param>
    public static GrpcChannel Channel(
        string address,
        TestCertificateAuthority? trusted,
        X509Certificate2? clientCertificate = null,
        Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (trusted is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    var server = (X509Certificate2)certificate!;
                    seen?.Invoke(server);
                    return trusted.Issued(server);
                },
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
            };
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>A client sending <c>authorization: Bearer &lt;token&gt;</c> on every call.</summary>
    public static LiiklusService.LiiklusServiceClient WithToken(this GrpcChannel channel, string token) =>
        new(channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        }));

    /// <summary>An admin API client sending <c>authorization: Bearer &lt;token&gt;</c> on every call.</summary>
    public static LiiklusAdminService.LiiklusAdminServiceClient AdminWithToken(this GrpcChannel channel, string token) =>
        new(channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        }));

    /// <summary>The address a plaintext client would use for the same port.</summary>
    public static string Plaintext(string address) => address.Replace("https://", "http://", StringComparison.Ordinal);

    /// <summary>The status a call failed with (also when a helper wrapped its exception), or OK.</summary>
    public static async Task<Status> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return Status.DefaultSuccess;
        }
        catch (Exception e) when (Rpc(e) is { } rpc)
        {
            return rpc.Status;
        }
    }

    private static RpcException? Rpc(Exception? e) => e switch
    {
        null => null,
        RpcException rpc => rpc,
        _ => Rpc(e.InnerException),
    };
}
