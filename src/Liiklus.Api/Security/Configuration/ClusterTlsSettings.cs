namespace Liiklus.Api.Security.Configuration;

/// <summary>
/// Akka.Remote over TLS (<c>liiklus.cluster.tls</c>): this node's certificate, its key (unless the certificate is a
/// PKCS#12 file), and the CAs peers must chain to (none: peers must present this very certificate).
/// </summary>
public sealed record ClusterTlsSettings(string CertificatePath, string? KeyPath, Secret? KeyPassword, string? TrustCertPath)
{
    public bool IsPkcs12 =>
        CertificatePath.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || CertificatePath.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
}
