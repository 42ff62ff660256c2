using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Liiklus.Api.Security.Tls;

/// <summary>
/// A private CA's certificates as the only roots a peer certificate may chain to; the machine's own trust store
/// plays no part. Revocation is not checked: a private CA rarely publishes revocation lists, and fetching one in
/// a handshake would block it.
/// </summary>
public sealed class TrustAnchors(X509Certificate2Collection roots)
{
    /// <summary>Extended key usage a client certificate must allow when it names any (id-kp-clientAuth).</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public X509Certificate2Collection Roots { get; } = roots;

    /// <param name="presented">the chain the TLS stack built, whose extra certificates the peer sent</param>
    /// <param name="usage">an extended key usage the certificate must allow, if any</param>
    /// <param name="problem">why the certificate was refused</param>
    public bool Accepts(X509Certificate2 certificate, X509Chain? presented, Oid? usage, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(usage);
        }

        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(certificate))
        {
            problem = "";
            return true;
        }

        problem = string.Join(", ", chain.ChainStatus.Select(status => status.Status).Distinct());
        return false;
    }
}
