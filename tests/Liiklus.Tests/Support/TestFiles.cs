using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Liiklus.Tests.Support;

/// <summary>A temporary folder of PEM files for one test, deleted with it.</summary>
public sealed class TestFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("liiklus-security-").FullName;

    public string Write(string name, string contents)
    {
        var path = Path.Combine(Folder, name);
        // Write beside, then rename: a reader never sees half a file (as when a mounted secret is swapped).
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, contents);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The certificate (and <paramref name="chain"/> after it) as a PEM chain file.</summary>
    public string WriteCertificate(string name, X509Certificate2 certificate, params X509Certificate2[] chain) =>
        Write(name, string.Concat(new[] { certificate }.Concat(chain).Select(c => c.ExportCertificatePem() + "\n")));

    /// <summary>The certificate's private key as PKCS#8 PEM, encrypted when a password is given.</summary>
    public string WriteKey(string name, X509Certificate2 certificate, string? password = null)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!;
        return Write(name, password is null
            ? key.ExportPkcs8PrivateKeyPem()
            : key.ExportEncryptedPkcs8PrivateKeyPem(password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
