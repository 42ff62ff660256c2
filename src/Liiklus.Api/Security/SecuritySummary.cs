using System.Text;
using Liiklus.Api.Security.Configuration;

namespace Liiklus.Api.Security;

/// <summary>Says at start what protects the gateway, as Liiklus does ("GRPC Authorization ENABLED with ..."); no secret.</summary>
public sealed class SecuritySummary(GatewaySecurity security, ILogger<SecuritySummary> logger) : IHostedService
{
    // RFC 7518: an HMAC key at least as long as the hash, 64 bytes for HS512.
    private const int RecommendedHmacSecretBytes = 64;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = security.Settings;
        if (security.GrpcCertificates is { } tls)
        {
            logger.LogInformation(
                "gRPC {Kind} enabled with certificate {Subject} (valid until {NotAfter:O})",
                tls.RequiresClientCertificate ? "mutual TLS" : "TLS", tls.Certificate.Subject, tls.Certificate.NotAfter);
        }

        if (settings.Jwt.Enabled)
        {
            logger.LogInformation(
                "gRPC authorization enabled with algorithm {Algorithm}{Scopes}; grpc.health.v1 needs no token",
                settings.Jwt.Algorithm.ToString().ToUpperInvariant(), settings.Jwt.RequireScopes ? ", rights from token scopes" : "");
            if (settings.Jwt is { Algorithm: JwtAlgorithm.Hmac512, HmacSecret: { } secret }
                && Encoding.UTF8.GetByteCount(secret.Reveal()) < RecommendedHmacSecretBytes)
            {
                logger.LogWarning("grpc_auth_secret is shorter than {Bytes} bytes, the key size HMAC512 is meant for", RecommendedHmacSecretBytes);
            }
        }

        if (security.ClusterCertificates is { } cluster)
        {
            logger.LogInformation(
                "Cluster TLS enabled with certificate {Subject}; peers must present {Rule}",
                cluster.Certificate.Subject, cluster.Trust is null ? "this same certificate" : "a certificate of the cluster CA");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
