using System.Text;
using Liiklus.Api.Security.Configuration;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Api.Security.Jwt;

/// <summary>
/// The keys tokens are checked with: Liiklus's HMAC512 secret (any kid), or public keys chosen by the token's
/// <c>kid</c> (from <c>grpc_auth_keys_&lt;kid&gt;</c>, or from the JWKS file, which is read again when it changes).
/// The algorithm comes from the settings or the key, never from the token alone: a token cannot pick HS512 with
/// a public key as its secret, or alg=none.
/// </summary>
public sealed class JwtSigningKeys : IReloadable
{
    // Liiklus (java-jwt) accepts 2 s of clock difference.
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    private static readonly string JwksSetting = SettingNames.Of("liiklus.grpc.auth.jwks");

    private readonly JwtSettings _settings;
    private readonly SigningKey? _hmac;
    private volatile KeyTable _table;
    private byte[]? _jwks;
    private byte[]? _lastRefusedJwks;

    private JwtSigningKeys(JwtSettings settings, SigningKey? hmac, IReadOnlyDictionary<string, SigningKey> byKid, byte[]? jwks)
    {
        _settings = settings;
        _hmac = hmac;
        _table = new KeyTable(byKid);
        _jwks = jwks;
    }

    /// <summary>Set once logging exists; the keys are read (and their mistakes reported) before it does.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    public JwtAlgorithm Algorithm => _settings.Algorithm;

    /// <summary>Changes whenever the keys do: what was verified with older keys must be verified again.</summary>
    public object Version => _table;

    /// <exception cref="InvalidOperationException">a key or the JWKS file does not hold what it should</exception>
    public static JwtSigningKeys Load(JwtSettings settings)
    {
        switch (settings.Algorithm)
        {
            case JwtAlgorithm.Hmac512:
                return new JwtSigningKeys(settings, Validated(HmacKey(settings.HmacSecret!), new HashSet<string> { "HS512" }, settings), new Dictionary<string, SigningKey>(), null);
            case JwtAlgorithm.Jwks:
                var jwks = Tls.CertificateFiles.Read(settings.JwksPath!, JwksSetting);
                return new JwtSigningKeys(settings, null, JwksKeys.Parse(Encoding.UTF8.GetString(jwks), JwksSetting, settings), jwks);
            default:
                var algorithm = settings.Algorithm switch
                {
                    JwtAlgorithm.Rsa512 => "RS512",
                    JwtAlgorithm.Rs256 => "RS256",
                    JwtAlgorithm.Es256 => "ES256",
                    var other => throw new InvalidOperationException($"no keys for grpc_auth_alg {other}"),
                };
                var byKid = settings.Keys.ToDictionary(
                    pair => pair.Key,
                    pair => Validated(PublicKeys.Parse(pair.Key, pair.Value, settings.Algorithm), new HashSet<string> { algorithm }, settings),
                    StringComparer.Ordinal);
                return new JwtSigningKeys(settings, null, byKid, null);
        }
    }

    /// <summary>The key a token names, or why there is none.</summary>
    public bool TryFind(string algorithm, string? kid, out SigningKey key, out string problem)
    {
        key = null!;
        var table = _table;
        var accepted = _hmac?.Algorithms ?? table.Algorithms;
        if (!accepted.Contains(algorithm))
        {
            problem = $"algorithm {Printable(algorithm)} is not accepted; expected {string.Join(" or ", accepted.Order())}";
            return false;
        }

        if (_hmac is not null)
        {
            // Liiklus's HMAC512 has one secret and ignores kid.
            key = _hmac;
        }
        else if (string.IsNullOrEmpty(kid))
        {
            problem = "the token has no kid header naming its key";
            return false;
        }
        else if (!table.Keys.TryGetValue(kid, out key!))
        {
            problem = $"key id '{Printable(kid)}' is not defined to authorize gRPC requests";
            return false;
        }

        if (!key.Algorithms.Contains(algorithm))
        {
            problem = $"algorithm {Printable(algorithm)} is not accepted for key id '{Printable(kid!)}'; expected {string.Join(" or ", key.Algorithms.Order())}";
            return false;
        }

        problem = "";
        return true;
    }

    public IEnumerable<string> Paths => _settings.Algorithm == JwtAlgorithm.Jwks ? [_settings.JwksPath!] : [];

    public async Task ReloadIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_settings.Algorithm != JwtAlgorithm.Jwks)
        {
            return;
        }

        var contents = await Tls.CertificateFiles.ReadAsync(_settings.JwksPath!, JwksSetting, cancellationToken);
        if (contents.AsSpan().SequenceEqual(_jwks) || contents.AsSpan().SequenceEqual(_lastRefusedJwks))
        {
            return;
        }

        try
        {
            _table = new KeyTable(JwksKeys.Parse(Encoding.UTF8.GetString(contents), JwksSetting, _settings));
            _jwks = contents;
            _lastRefusedJwks = null;
            Logger.LogInformation("JWKS reloaded: key ids {KeyIds}", string.Join(", ", _table.Keys.Keys));
        }
        catch (InvalidOperationException e)
        {
            _lastRefusedJwks = contents;
            Logger.LogWarning("The JWKS file changed but does not load, still using the previous keys: {Problem}", e.Message);
        }
    }

    public static SigningKey Validated(SecurityKey key, IReadOnlySet<string> algorithms, JwtSettings settings) =>
        new(key, algorithms, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            // The HMAC secret has no key id: let a token with a kid still be checked against it.
            TryAllIssuerSigningKeys = key is SymmetricSecurityKey,
            ValidAlgorithms = algorithms,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            ValidateIssuer = settings.Issuer is not null,
            ValidIssuer = settings.Issuer,
            ValidateAudience = settings.Audience is not null,
            ValidAudience = settings.Audience,
            ValidateLifetime = true,
            // Liiklus accepts tokens without exp; one that has exp is held to it.
            RequireExpirationTime = false,
            ClockSkew = ClockSkew,
        });

    /// <summary>
    /// Liiklus's secrets may be shorter than the 64 bytes Microsoft.IdentityModel requires of an HS512 key. HMAC
    /// pads a key shorter than its block (128 bytes for SHA-512) with zero bytes, so padding it here to 64 bytes
    /// changes no signature: tokens signed with the short secret verify unchanged.
    /// </summary>
    private static SymmetricSecurityKey HmacKey(Secret secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret.Reveal());
        const int minimum = 64;
        if (bytes.Length < minimum)
        {
            Array.Resize(ref bytes, minimum);
        }

        return new SymmetricSecurityKey(bytes);
    }

    private sealed record KeyTable(IReadOnlyDictionary<string, SigningKey> Keys)
    {
        public IReadOnlySet<string> Algorithms { get; } = Keys.Values.SelectMany(key => key.Algorithms).ToHashSet();
    }

    private static string Printable(string text)
    {
        var shown = text.Length > 64 ? text[..64] + "…" : text;
        return new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
