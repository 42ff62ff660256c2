using Liiklus.Api.Security.Scopes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Liiklus.Api.Security.Jwt;

/// <summary>
/// Checks a call's <c>authorization: Bearer &lt;jwt&gt;</c> header with Microsoft.IdentityModel, or says in
/// Liiklus's words why not: "authorization header not found", "authorization header validation failed: ...".
/// A client sends the same token on call after call, and checking an RSA signature costs more than serving a small
/// publish: a token that passed is remembered until it expires (or the keys change), in a cache bounded in size.
/// </summary>
public sealed class JwtAuthenticator(JwtSigningKeys keys) : IDisposable
{
    public const string HeaderName = "authorization";
    private const string Scheme = "Bearer ";
    private const string Failed = HeaderName + " header validation failed: ";

    // Counted in characters of token text: 4 Mi characters (8 MiB), thousands of clients' tokens.
    private const long VerifiedCacheCharacters = 4 * 1024 * 1024;

    // A token without exp is checked again after this; one with exp when it expires, whichever is first.
    private static readonly TimeSpan LongestRemembered = TimeSpan.FromMinutes(5);

    private readonly JsonWebTokenHandler _handler = new();
    private readonly MemoryCache _verified = new(new MemoryCacheOptions { SizeLimit = VerifiedCacheCharacters });

    /// <exception cref="AuthenticationFailure">the header is missing or its token is not valid</exception>
    public async ValueTask<AuthenticatedCaller> AuthenticateAsync(string? header)
    {
        if (header is null)
        {
            throw new AuthenticationFailure($"{HeaderName} header not found");
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new AuthenticationFailure($"{HeaderName} header does not start with {Scheme}");
        }

        var text = header.AsSpan(Scheme.Length).Trim().ToString();
        var version = keys.Version;
        if (_verified.TryGetValue(text, out Verified? verified) && ReferenceEquals(verified!.KeysVersion, version))
        {
            return verified.Caller;
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(text);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            throw new AuthenticationFailure(Failed + "the token is not a well-formed JWT (header.payload.signature, base64url)");
        }

        if (token.IsEncrypted)
        {
            throw new AuthenticationFailure(Failed + "encrypted tokens (JWE) are not accepted; send a signed JWT");
        }

        if (string.IsNullOrEmpty(token.Alg) || token.Alg.Equals("none", StringComparison.OrdinalIgnoreCase) || !token.IsSigned)
        {
            throw new AuthenticationFailure(Failed + "the token is not signed (alg=none); unsigned tokens are refused");
        }

        if (!keys.TryFind(token.Alg, token.Kid, out var key, out var problem))
        {
            throw new AuthenticationFailure(Failed + problem);
        }

        var result = await _handler.ValidateTokenAsync(token, key.Validation);
        if (!result.IsValid)
        {
            throw new AuthenticationFailure(Failed + Reason(result.Exception));
        }

        var caller = new AuthenticatedCaller(Subject(token), Scopes(token));
        Remember(text, token, caller, version);
        return caller;
    }

    public void Dispose() => _verified.Dispose();

    private void Remember(string text, JsonWebToken token, AuthenticatedCaller caller, object version)
    {
        var until = DateTimeOffset.UtcNow + LongestRemembered;
        if (token.ValidTo != DateTime.MinValue)
        {
            // As long as validation would accept it: up to the clock skew past its expiry.
            var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + JwtSigningKeys.ClockSkew;
            until = expires < until ? expires : until;
        }

        _verified.Set(text, new Verified(caller, version), new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = text.Length });
    }

    // In words of our own: the library's messages may carry parts of the token.
    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException expired => $"the token expired at {expired.Expires:yyyy-MM-ddTHH:mm:ssZ}",
        SecurityTokenNotYetValidException notYet => $"the token is not valid before {notYet.NotBefore:yyyy-MM-ddTHH:mm:ssZ}",
        SecurityTokenInvalidLifetimeException => "the token's lifetime is invalid (nbf after exp)",
        SecurityTokenInvalidIssuerException => "the token's issuer (iss) is not the one accepted",
        SecurityTokenInvalidAudienceException => "the token's audience (aud) does not hold the one accepted",
        SecurityTokenInvalidAlgorithmException => "the token's algorithm is not accepted",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the signature does not verify",
        SecurityTokenMalformedException or ArgumentException => "the token is not a well-formed JWT",
        null => "the token is not valid",
        var other => $"the token is not valid ({other.GetType().Name})",
    };

    private sealed record Verified(AuthenticatedCaller Caller, object KeysVersion);

    private static string Subject(JsonWebToken token) =>
        token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var subject) && !string.IsNullOrEmpty(subject) ? subject : "(no sub)";

    private static TokenScopes Scopes(JsonWebToken token)
    {
        if (token.TryGetPayloadValue<string>("scope", out var scope))
        {
            return TokenScopes.From([scope]);
        }

        // Some issuers write the scopes as a JSON array.
        return token.TryGetPayloadValue<string[]>("scope", out var scopes) ? TokenScopes.From(scopes) : TokenScopes.None;
    }
}
