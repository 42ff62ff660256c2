using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Liiklus.Api.Security.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Liiklus.Api.Security.Jwt;

/// <summary>
/// <c>grpc_auth_keys_&lt;kid&gt;</c> values as Liiklus reads them: an X.509 SubjectPublicKeyInfo, in PEM
/// (<c>-----BEGIN PUBLIC KEY-----</c>) or as its base64 DER alone. A PEM certificate is taken for its public key.
/// </summary>
public static class PublicKeys
{
    private const string P256 = "1.2.840.10045.3.1.7";

    public static SecurityKey Parse(string kid, string text, JwtAlgorithm algorithm)
    {
        var setting = $"grpc_auth_keys_{kid} (liiklus.grpc.auth.keys.{kid})";
        try
        {
            SecurityKey key = algorithm switch
            {
                JwtAlgorithm.Rsa512 or JwtAlgorithm.Rs256 => new RsaSecurityKey(Rsa(text)),
                JwtAlgorithm.Es256 => new ECDsaSecurityKey(P256Key(text, setting)),
                _ => throw new InvalidOperationException($"{setting}: keys by kid serve RSA512, RS256 and ES256, not {algorithm}"),
            };
            key.KeyId = kid;
            return key;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            var kind = algorithm == JwtAlgorithm.Es256 ? "an EC P-256" : "an RSA";
            throw new InvalidOperationException($"{setting} is not {kind} public key (X.509 SubjectPublicKeyInfo, PEM or base64 DER)");
        }
    }

    private static RSA Rsa(string text)
    {
        if (IsCertificate(text))
        {
            return X509Certificate2.CreateFromPem(text).GetRSAPublicKey() ?? throw new CryptographicException("not an RSA certificate");
        }

        var rsa = RSA.Create();
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            rsa.ImportFromPem(text);
        }
        else
        {
            rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text), out _);
        }

        return rsa;
    }

    private static ECDsa P256Key(string text, string setting)
    {
        ECDsa ecdsa;
        if (IsCertificate(text))
        {
            ecdsa = X509Certificate2.CreateFromPem(text).GetECDsaPublicKey() ?? throw new CryptographicException("not an EC certificate");
        }
        else
        {
            ecdsa = ECDsa.Create();
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                ecdsa.ImportFromPem(text);
            }
            else
            {
                ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text), out _);
            }
        }

        return IsP256(ecdsa.ExportParameters(false).Curve)
            ? ecdsa
            : throw new InvalidOperationException($"{setting} is not on curve P-256, which ES256 signs with");
    }

    public static bool IsP256(ECCurve curve) =>
        curve.Oid.Value == P256 || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1";

    private static bool IsCertificate(string text) => text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
}
