using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Liiklus.Api.Security.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Api.Security.Tls;

/// <summary>
/// The gRPC port's certificate and, for mutual TLS, the CAs client certificates must chain to. Every new
/// connection gets what is current; when the files change they are read again, and a set that does not load
/// (half-written, key and certificate not matching yet) leaves the previous one serving.
/// </summary>
public sealed class GrpcServerCertificates : IReloadable
{
    private static readonly string ChainSetting = SettingNames.Of("liiklus.grpc.tls.key-cert-chain");
    private static readonly string KeySetting = SettingNames.Of("liiklus.grpc.tls.key");
    private static readonly string TrustSetting = SettingNames.Of("liiklus.grpc.tls.trust-cert");

    private readonly GrpcTlsSettings _settings;
    private volatile Loaded _current;
    private byte[]? _lastRefused;

    private GrpcServerCertificates(GrpcTlsSettings settings, Files files)
    {
        _settings = settings;
        _current = Build(files, settings, this);
    }

    /// <summary>Set when Kestrel starts; the files are read (and their mistakes reported) before logging exists.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    public X509Certificate2 Certificate => _current.Context.TargetCertificate;

    public bool RequiresClientCertificate => _current.Trust is not null;

    /// <exception cref="InvalidOperationException">a file cannot be read or does not hold what it should</exception>
    public static GrpcServerCertificates Load(GrpcTlsSettings settings) =>
        new(settings, new Files(
            CertificateFiles.Read(settings.KeyCertChainPath, ChainSetting),
            CertificateFiles.Read(settings.KeyPath, KeySetting),
            settings.TrustCertPath is null ? null : CertificateFiles.Read(settings.TrustCertPath, TrustSetting)));

    /// <summary>What one TLS handshake uses: created per connection, from what is current when it starts.</summary>
    public SslServerAuthenticationOptions OptionsForConnection()
    {
        var current = _current;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = current.Context,
            ClientCertificateRequired = current.Trust is not null,
            RemoteCertificateValidationCallback = current.Validation,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public IEnumerable<string> Paths =>
        _settings.TrustCertPath is null ? [_settings.KeyCertChainPath, _settings.KeyPath] : [_settings.KeyCertChainPath, _settings.KeyPath, _settings.TrustCertPath];

    public async Task ReloadIfChangedAsync(CancellationToken cancellationToken)
    {
        var files = new Files(
            await CertificateFiles.ReadAsync(_settings.KeyCertChainPath, ChainSetting, cancellationToken),
            await CertificateFiles.ReadAsync(_settings.KeyPath, KeySetting, cancellationToken),
            _settings.TrustCertPath is null ? null : await CertificateFiles.ReadAsync(_settings.TrustCertPath, TrustSetting, cancellationToken));
        var fingerprint = files.Fingerprint();
        if (fingerprint.SequenceEqual(_current.Fingerprint) || (_lastRefused is not null && fingerprint.SequenceEqual(_lastRefused)))
        {
            return;
        }

        try
        {
            var loaded = Build(files, _settings, this);
            _current = loaded;
            _lastRefused = null;
            Logger.LogInformation(
                "gRPC TLS certificate reloaded: now serving {Subject} (thumbprint {Thumbprint}, valid until {NotAfter:O})",
                loaded.Context.TargetCertificate.Subject, loaded.Context.TargetCertificate.Thumbprint, loaded.Context.TargetCertificate.NotAfter);
        }
        catch (InvalidOperationException e)
        {
            // Once per content, not once per check: a rotation in progress is logged when it is complete or stuck.
            _lastRefused = fingerprint;
            Logger.LogWarning("gRPC TLS files changed but do not load, still serving the previous certificate: {Problem}", e.Message);
        }
    }

    private static Loaded Build(Files files, GrpcTlsSettings settings, GrpcServerCertificates owner)
    {
        var (leaf, intermediates) = CertificateFiles.PemWithKey(
            Encoding.UTF8.GetString(files.Chain), Encoding.UTF8.GetString(files.Key), settings.KeyPassword, ChainSetting, KeySetting);
        // offline: the chain is what the file holds; nothing is fetched while connections wait.
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        var trust = files.Trust is null ? null : new TrustAnchors(CertificateFiles.PemCollection(Encoding.UTF8.GetString(files.Trust), TrustSetting));
        return new Loaded(context, trust, files.Fingerprint(), trust is null ? null : owner.ClientValidation(trust));
    }

    private RemoteCertificateValidationCallback ClientValidation(TrustAnchors trust) =>
        (_, certificate, presented, _) =>
        {
            if (certificate is null)
            {
                Logger.LogInformation("Refused a TLS client without a certificate: mutual TLS is required");
                return false;
            }

            var client = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (trust.Accepts(client, presented, TrustAnchors.ClientAuthentication, out var problem))
            {
                return true;
            }

            Logger.LogInformation("Refused TLS client certificate {Subject} issued by {Issuer}: {Problem}", client.Subject, client.Issuer, problem);
            return false;
        };

    private sealed record Files(byte[] Chain, byte[] Key, byte[]? Trust)
    {
        public byte[] Fingerprint()
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var part in new[] { Chain, Key, Trust ?? [] })
            {
                hash.AppendData(BitConverter.GetBytes(part.Length));
                hash.AppendData(part);
            }

            return hash.GetHashAndReset();
        }
    }

    private sealed record Loaded(
        SslStreamCertificateContext Context,
        TrustAnchors? Trust,
        byte[] Fingerprint,
        RemoteCertificateValidationCallback? Validation);
}
