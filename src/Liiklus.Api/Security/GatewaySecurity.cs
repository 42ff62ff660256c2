using Akka.Configuration;
using Liiklus.Api.Security.Cluster;
using Liiklus.Api.Security.Configuration;
using Liiklus.Api.Security.Jwt;
using Liiklus.Api.Security.Tls;

namespace Liiklus.Api.Security;

/// <summary>
/// The security settings with their files read: certificates, keys and the JWKS file are loaded while the gateway
/// is built, so a mistake in them stops start-up with a message naming the setting.
/// </summary>
public sealed class GatewaySecurity
{
    private GatewaySecurity(SecuritySettings settings, GrpcServerCertificates? grpcCertificates, JwtSigningKeys? jwtKeys, ClusterCertificates? clusterCertificates)
    {
        Settings = settings;
        GrpcCertificates = grpcCertificates;
        JwtKeys = jwtKeys;
        ClusterCertificates = clusterCertificates;
    }

    public SecuritySettings Settings { get; }

    /// <summary>Null: the gRPC port is plaintext HTTP/2.</summary>
    public GrpcServerCertificates? GrpcCertificates { get; }

    /// <summary>Null: calls need no token.</summary>
    public JwtSigningKeys? JwtKeys { get; }

    /// <summary>Null: Akka.Remote is plaintext.</summary>
    public ClusterCertificates? ClusterCertificates { get; }

    /// <exception cref="InvalidOperationException">a setting or a file it names is wrong</exception>
    public static GatewaySecurity Load(Config config)
    {
        var settings = SecuritySettings.From(config);
        return new GatewaySecurity(
            settings,
            settings.GrpcTls is null ? null : GrpcServerCertificates.Load(settings.GrpcTls),
            settings.Jwt.Enabled ? JwtSigningKeys.Load(settings.Jwt) : null,
            settings.ClusterTls is null ? null : ClusterCertificates.Load(settings.ClusterTls));
    }
}
