using System.Security.Cryptography.X509Certificates;

namespace Liiklus.Client;

/// <summary>How a <see cref="LiiklusClient"/> reaches its gateway.</summary>
public sealed class LiiklusClientOptions
{
    /// <summary>The gateway's gRPC address, e.g. <c>http://localhost:6565</c> or <c>https://liiklus:6565</c>.</summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// Gives the bearer token (a JWT) sent as <c>authorization: Bearer …</c> on every call; called per call, so
    /// it may cache and refresh. Null or an empty answer sends none. Over <c>http://</c> the token travels in clear.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? AccessTokenProvider { get; set; }

    /// <summary>The certificate this client presents for mutual TLS; it must hold a private key.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// A certificate authority the server's certificate must chain to, instead of the machine's trusted roots
    /// (a private CA).
    /// </summary>
    public X509Certificate2? TrustedCertificateAuthority { get; set; }

    /// <summary>
    /// Accepts whatever certificate the server presents, unchecked: the connection is encrypted but the server is
    /// not authenticated. Only for a test gateway with a throw-away certificate.
    /// </summary>
    public bool DangerousAcceptAnyServerCertificate { get; set; }

    /// <summary>The deadline of each unary call (Publish, Ack, GetOffsets, GetEndOffsets, and the admin API's).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest reply accepted, in bytes.</summary>
    public int MaxReceiveMessageSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long an idle connection waits for a keep-alive answer before it counts as dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often an idle connection is pinged, so a silently dropped connection is noticed.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a setting cannot work, naming it.</summary>
    public void Validate()
    {
        if (Address is null || !Address.IsAbsoluteUri || Address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{nameof(Address)} must be an absolute http:// or https:// URI, was '{Address}'", nameof(Address));
        }

        if (CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(CallTimeout)} must be positive, was {CallTimeout}", nameof(CallTimeout));
        }

        if (MaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"{nameof(MaxReceiveMessageSize)} must be positive, was {MaxReceiveMessageSize}", nameof(MaxReceiveMessageSize));
        }

        if (ClientCertificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"{nameof(ClientCertificate)} has no private key", nameof(ClientCertificate));
        }

        if ((ClientCertificate is not null || TrustedCertificateAuthority is not null || DangerousAcceptAnyServerCertificate) && Address.Scheme != "https")
        {
            throw new ArgumentException("TLS settings need an https:// address", nameof(Address));
        }
    }
}
