namespace Liiklus.Api.Security.Configuration;

/// <summary><c>grpc_auth_alg</c>: Liiklus's NONE, HMAC512 and RSA512, and beyond them RS256, ES256 and JWKS.</summary>
public enum JwtAlgorithm
{
    None,
    Hmac512,
    Rsa512,
    Rs256,
    Es256,
    Jwks,
}
