using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Liiklus.Api.Security.Configuration;
using Liiklus.Api.Security.Tls;

namespace Liiklus.Api.Security.Cluster;

/// <summary>
/// This node's cluster certificate and the rule peers are held to: a certificate that chains to the cluster CAs
/// (<c>akka_remote_tls_trustCert</c>) or, without them, this node's very certificate, which every node then shares.
/// Read once at start: Akka.Remote keeps its certificate for the life of the actor system.
/// </summary>
public sealed class ClusterCertificates
{
    private static readonly string CertificateSetting = SettingNames.Of("liiklus.cluster.tls.certificate");
    private static readonly string KeySetting = SettingNames.Of("liiklus.cluster.tls.key");
    private static readonly string TrustSetting = SettingNames.Of("liiklus.cluster.tls.trust-cert");

    private ClusterCertificates(X509Certificate2 certificate, TrustAnchors? trust)
    {
        Certificate = certificate;
        Trust = trust;
    }

    public X509Certificate2 Certificate { get; }

    public TrustAnchors? Trust { get; }

    /// <exception cref="InvalidOperationException">a file cannot be read or does not hold what it should</exception>
    public static ClusterCertificates Load(ClusterTlsSettings settings)
    {
        X509Certificate2 certificate;
        if (settings.IsPkcs12)
        {
            certificate = CertificateFiles.Pkcs12(CertificateFiles.Read(settings.CertificatePath, CertificateSetting), settings.KeyPassword, CertificateSetting);
        }
        else
        {
            (certificate, _) = CertificateFiles.PemWithKey(
                Encoding.UTF8.GetString(CertificateFiles.Read(settings.CertificatePath, CertificateSetting)),
                Encoding.UTF8.GetString(CertificateFiles.Read(settings.KeyPath!, KeySetting)),
                settings.KeyPassword,
                CertificateSetting,
                KeySetting);
        }

        var trust = settings.TrustCertPath is null
            ? null
            : new TrustAnchors(CertificateFiles.PemCollection(Encoding.UTF8.GetString(CertificateFiles.Read(settings.TrustCertPath, TrustSetting)), TrustSetting));
        return new ClusterCertificates(certificate, trust);
    }

    /// <summary>Akka.Remote asks this on both ends of every connection, for the certificate the other end sent.</summary>
    public bool Accepts(X509Certificate2? peer, X509Chain? presented, string remote, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (peer is null)
        {
            log.Warning("Refused cluster connection with {0}: it presented no certificate", remote);
            return false;
        }

        if (Trust is null)
        {
            if (peer.RawDataMemory.Span.SequenceEqual(Certificate.RawDataMemory.Span))
            {
                return true;
            }

            log.Warning("Refused cluster connection with {0}: its certificate {1} is not the cluster certificate", remote, peer.Subject);
            return false;
        }

        if (Trust.Accepts(peer, presented, usage: null, out var problem))
        {
            return true;
        }

        log.Warning("Refused cluster connection with {0}: its certificate {1} does not chain to the cluster CA ({2})", remote, peer.Subject, problem);
        return false;
    }
}
