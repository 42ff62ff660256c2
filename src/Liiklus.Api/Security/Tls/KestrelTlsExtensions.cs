using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Liiklus.Api.Security.Tls;

public static class KestrelTlsExtensions
{
    /// <summary>
    /// TLS with the current certificate per connection, so a rotated certificate serves new connections at once.
    /// Kestrel offers the listener's protocols by ALPN: h2 only on the gRPC port.
    /// </summary>
    public static ListenOptions UseGatewayTls(this ListenOptions listen, GrpcServerCertificates certificates)
    {
        certificates.Logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<GrpcServerCertificates>();
        return listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(certificates.OptionsForConnection()),
        });
    }
}
