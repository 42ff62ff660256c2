namespace Liiklus.Api.Security.Configuration;

/// <summary>JWT on the gRPC port (<c>liiklus.grpc.auth</c>).</summary>
/// <param name="Keys">public keys by kid, as configured (PEM or base64 DER)</param>
public sealed record JwtSettings(
    JwtAlgorithm Algorithm,
    Secret? HmacSecret,
    IReadOnlyDictionary<string, string> Keys,
    string? JwksPath,
    string? Issuer,
    string? Audience,
    bool RequireScopes)
{
    public bool Enabled => Algorithm != JwtAlgorithm.None;
}
