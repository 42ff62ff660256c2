using Liiklus.Api.Security.Configuration;
using Microsoft.IdentityModel.Tokens;

namespace Liiklus.Api.Security.Jwt;

/// <summary>
/// A JSON Web Key Set's signing keys by kid. RSA keys verify RS256/384/512 and PS256/384/512, EC keys the ES
/// algorithm of their curve; a key's own <c>alg</c>, when present, narrows that to one. Symmetric keys are refused:
/// a key set is public.
/// </summary>
public static class JwksKeys
{
    private static readonly string[] RsaAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    public static IReadOnlyDictionary<string, SigningKey> Parse(string json, string setting, JwtSettings settings)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json);
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"{setting} is not a JSON Web Key Set ({{\"keys\": [...]}})");
        }

        var keys = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
        foreach (var key in set.Keys.Where(key => key.Use is null or "" or "sig"))
        {
            if (string.IsNullOrEmpty(key.Kid))
            {
                throw new InvalidOperationException($"{setting}: every key needs a kid, which tokens name it by");
            }

            var algorithms = AlgorithmsOf(key, setting);
            // Converted once here, so a key with missing or broken parameters is refused when the file is read.
            if (!JsonWebKeyConverter.TryConvertToSecurityKey(key, out var converted))
            {
                throw new InvalidOperationException($"{setting}: key '{key.Kid}' lacks the parameters of an {key.Kty} public key");
            }

            converted.KeyId = key.Kid;
            if (!keys.TryAdd(key.Kid, JwtSigningKeys.Validated(converted, algorithms, settings)))
            {
                throw new InvalidOperationException($"{setting}: kid '{key.Kid}' names two keys");
            }
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException($"{setting} holds no signing key");
    }

    private static HashSet<string> AlgorithmsOf(JsonWebKey key, string setting)
    {
        string[] byType = key.Kty switch
        {
            "RSA" => RsaAlgorithms,
            "EC" => key.Crv switch
            {
                "P-256" => ["ES256"],
                "P-384" => ["ES384"],
                "P-521" => ["ES512"],
                var curve => throw new InvalidOperationException($"{setting}: key '{key.Kid}' is on curve '{curve}', not P-256, P-384 or P-521"),
            },
            "oct" => throw new InvalidOperationException($"{setting}: key '{key.Kid}' is symmetric (kty oct); a key set holds public keys"),
            var type => throw new InvalidOperationException($"{setting}: key '{key.Kid}' has kty '{type}', not RSA or EC"),
        };
        if (string.IsNullOrEmpty(key.Alg))
        {
            return [.. byType];
        }

        return byType.Contains(key.Alg)
            ? [key.Alg]
            : throw new InvalidOperationException($"{setting}: key '{key.Kid}' says alg '{key.Alg}', which a {key.Kty} key does not sign with");
    }
}
