using Akka.Hosting;
using Akka.Remote.Transport.DotNetty;

namespace Liiklus.Api.Security.Cluster;

public static class ClusterTlsExtensions
{
    /// <summary>
    /// Akka.Remote over DotNetty's TLS with mutual authentication: every node presents its certificate and checks
    /// the other's with <see cref="ClusterCertificates.Accepts"/>. Host names are not checked: nodes are reached by
    /// address, and the certificate check is what admits a peer. Addresses become <c>akka.ssl.tcp://</c>.
    /// </summary>
    public static AkkaConfigurationBuilder WithClusterTls(this AkkaConfigurationBuilder builder, ClusterCertificates? certificates)
    {
        if (certificates is null)
        {
            return builder;
        }

        return builder
            .AddHocon("akka.remote.dot-netty.tcp.enable-ssl = on", HoconAddMode.Prepend)
            .AddSetup(new DotNettySslSetup(
                certificates.Certificate,
                suppressValidation: false,
                requireMutualAuthentication: true,
                validateCertificateHostname: false,
                customValidator: certificates.Accepts));
    }
}
