using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Liiklus.Tests.Support;

/// <summary>JWTs as an issuer would sign them, made with Microsoft.IdentityModel.</summary>
public static class TestTokens
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public static SigningCredentials Hmac512(byte[] secret) => new(new SymmetricSecurityKey(secret), SecurityAlgorithms.HmacSha512);

    public static SigningCredentials Rsa(RSA key, string kid, string algorithm = SecurityAlgorithms.RsaSha512) =>
        new(new RsaSecurityKey(key) { KeyId = kid }, algorithm);

    public static SigningCredentials Es256(ECDsa key, string kid) => new(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);

    /// <param name="expires">default: in an hour</param>
    public static string Sign(
        SigningCredentials credentials,
        string subject = "tenant-a",
        string? scope = null,
        DateTime? expires = null,
        string? issuer = null,
        string? audience = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddHours(1);
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = expiry < now ? expiry.AddMinutes(-5) : now,
            Expires = expiry,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = credentials,
        });
    }

    /// <summary>An unsigned token (<c>alg=none</c>), as an attacker would send one.</summary>
    public static string Unsigned(string subject = "tenant-a", string? scope = null) =>
        $"{Part(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" })}.{Part(Payload(subject, scope))}.";

    /// <summary>
    /// An HS512 token signed the way Liiklus's Java clients sign one with a short secret, which Microsoft.IdentityModel
    /// would not sign with: by hand, with <see cref="HMACSHA512"/>.
    /// </summary>
    public static string HmacSha512ByHand(string secret, string subject = "tenant-a")
    {
        var signed = $"{Part(new Dictionary<string, object> { ["alg"] = "HS512", ["typ"] = "JWT" })}.{Part(Payload(subject, null))}";
        var signature = HMACSHA512.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signed));
        return $"{signed}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static Dictionary<string, object> Payload(string subject, string? scope)
    {
        var payload = new Dictionary<string, object> { ["sub"] = subject, ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() };
        if (scope is not null)
        {
            payload["scope"] = scope;
        }

        return payload;
    }

    private static string Part(Dictionary<string, object> json) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(json));
}
