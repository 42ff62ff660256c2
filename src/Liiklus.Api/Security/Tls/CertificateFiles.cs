using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Liiklus.Api.Security.Configuration;

namespace Liiklus.Api.Security.Tls;

/// <summary>
/// Certificates and keys from file contents. Every failure is an <see cref="InvalidOperationException"/> naming the
/// setting and what is wrong with it, never the key or the password.
/// </summary>
public static class CertificateFiles
{
    /// <summary>A PEM chain (leaf first) and the leaf's PEM private key: the leaf with its key, and the rest.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Intermediates) PemWithKey(
        string chainPem, string keyPem, Secret? password, string chainSetting, string keySetting)
    {
        var chain = PemCollection(chainPem, chainSetting);
        var encrypted = keyPem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && password is null)
        {
            throw new InvalidOperationException($"{keySetting} is an encrypted key: set its password");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = encrypted
                ? X509Certificate2.CreateFromEncryptedPem(chainPem, keyPem, password!.Reveal())
                : X509Certificate2.CreateFromPem(chainPem, keyPem);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(encrypted
                ? $"{keySetting} could not be decrypted with its password, or is not the key of {chainSetting}'s first certificate"
                : $"{keySetting} is not a PEM private key (PKCS#8, PKCS#1 or SEC1) of {chainSetting}'s first certificate");
        }
        catch (ArgumentException)
        {
            throw new InvalidOperationException($"{keySetting} holds no PEM private key");
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain.Skip(1))
        {
            intermediates.Add(certificate);
        }

        return (leaf, intermediates);
    }

    /// <summary>Every certificate of a PEM file; at least one.</summary>
    public static X509Certificate2Collection PemCollection(string pem, string setting)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"{setting} holds a PEM certificate that cannot be read");
        }

        return collection.Count > 0 ? collection : throw new InvalidOperationException($"{setting} holds no PEM certificate");
    }

    /// <summary>A PKCS#12 file holding a certificate and its key.</summary>
    public static X509Certificate2 Pkcs12(byte[] contents, Secret? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(contents, password?.Reveal());
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException($"{setting} is not a PKCS#12 file, or its password is not the one set");
        }

        return certificate.HasPrivateKey ? certificate : throw new InvalidOperationException($"{setting} holds no private key");
    }

    /// <summary>Reads a file named by a setting, saying which setting when it cannot.</summary>
    public static byte[] Read(string path, string setting)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot read '{path}': {e.Message}");
        }
    }

    public static async Task<byte[]> ReadAsync(string path, string setting, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{setting}: cannot read '{path}': {e.Message}");
        }
    }
}
