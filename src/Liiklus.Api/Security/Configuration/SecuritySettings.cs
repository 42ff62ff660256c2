using Akka.Configuration;

namespace Liiklus.Api.Security.Configuration;

/// <summary>
/// The security settings: TLS and JWT on the gRPC port and TLS between nodes, read from <c>liiklus.grpc.tls</c>,
/// <c>liiklus.grpc.auth</c> and <c>liiklus.cluster.tls</c>. Contradictory or incomplete settings stop start-up with
/// an <see cref="InvalidOperationException"/> naming the setting; no message holds a secret.
/// </summary>
public sealed record SecuritySettings(GrpcTlsSettings? GrpcTls, JwtSettings Jwt, ClusterTlsSettings? ClusterTls)
{
    private const string Tls = "liiklus.grpc.tls";
    private const string Auth = "liiklus.grpc.auth";
    private const string ClusterTlsPath = "liiklus.cluster.tls";

    public static SecuritySettings From(Config config)
    {
        var clusterTls = ClusterTlsFrom(config);
        RequireSeedNodesOverTls(config, clusterTls);
        return new SecuritySettings(GrpcTlsFrom(config), JwtFrom(config), clusterTls);
    }

    private static GrpcTlsSettings? GrpcTlsFrom(Config config)
    {
        var chain = File(config, $"{Tls}.key-cert-chain");
        var key = File(config, $"{Tls}.key");
        var password = SecretOf(config, $"{Tls}.key-password");
        var trust = File(config, $"{Tls}.trust-cert");
        if (key is null && chain is null)
        {
            if (password is not null || trust is not null)
            {
                throw new InvalidOperationException(
                    $"{Name($"{Tls}.key-password")} and {Name($"{Tls}.trust-cert")} need TLS: set {Name($"{Tls}.key")} and {Name($"{Tls}.key-cert-chain")}");
            }

            return null;
        }

        if (key is null || chain is null)
        {
            throw new InvalidOperationException(
                $"TLS on the gRPC port needs both {Name($"{Tls}.key-cert-chain")} (PEM certificate chain) and {Name($"{Tls}.key")} (PEM PKCS#8 key)");
        }

        return new GrpcTlsSettings(chain, key, password, trust);
    }

    private static JwtSettings JwtFrom(Config config)
    {
        var algorithmText = config.GetString($"{Auth}.alg", "NONE").Trim();
        if (!Enum.TryParse<JwtAlgorithm>(algorithmText, ignoreCase: true, out var algorithm) || !Enum.IsDefined(algorithm) || int.TryParse(algorithmText, out _))
        {
            throw new InvalidOperationException(
                $"{Name($"{Auth}.alg")} '{algorithmText}' is not one of NONE, HMAC512, RSA512, RS256, ES256, JWKS");
        }

        var secret = SecretOf(config, $"{Auth}.secret");
        var keys = KeysFrom(config);
        var jwks = File(config, $"{Auth}.jwks");
        var issuer = Optional(config, $"{Auth}.issuer");
        var audience = Optional(config, $"{Auth}.audience");
        var requireScopes = Boolean(config, $"{Auth}.require-scopes");
        var settings = new JwtSettings(algorithm, secret, keys, jwks, issuer, audience, requireScopes);

        switch (algorithm)
        {
            case JwtAlgorithm.None when requireScopes || issuer is not null || audience is not null:
                throw new InvalidOperationException(
                    $"{Name($"{Auth}.require-scopes")}, {Name($"{Auth}.issuer")} and {Name($"{Auth}.audience")} check tokens: " +
                    $"set {Name($"{Auth}.alg")} to HMAC512, RSA512, RS256, ES256 or JWKS");
            case JwtAlgorithm.Hmac512 when secret is null:
                throw new InvalidOperationException($"{Name($"{Auth}.alg")} HMAC512 needs {Name($"{Auth}.secret")}");
            case JwtAlgorithm.Rsa512 or JwtAlgorithm.Rs256 or JwtAlgorithm.Es256 when keys.Count == 0:
                throw new InvalidOperationException(
                    $"{Name($"{Auth}.alg")} {algorithmText.ToUpperInvariant()} needs at least one public key: " +
                    $"grpc_auth_keys_<kid> ({Auth}.keys.<kid>)");
            case JwtAlgorithm.Jwks when jwks is null:
                throw new InvalidOperationException($"{Name($"{Auth}.alg")} JWKS needs {Name($"{Auth}.jwks")} (a JSON Web Key Set file)");
        }

        return settings;
    }

    private static ClusterTlsSettings? ClusterTlsFrom(Config config)
    {
        var certificate = File(config, $"{ClusterTlsPath}.certificate");
        var key = File(config, $"{ClusterTlsPath}.key");
        var password = SecretOf(config, $"{ClusterTlsPath}.key-password");
        var trust = File(config, $"{ClusterTlsPath}.trust-cert");
        if (certificate is null)
        {
            if (key is not null || password is not null || trust is not null)
            {
                throw new InvalidOperationException(
                    $"{Name($"{ClusterTlsPath}.key")}, {Name($"{ClusterTlsPath}.key-password")} and {Name($"{ClusterTlsPath}.trust-cert")} " +
                    $"need {Name($"{ClusterTlsPath}.certificate")}");
            }

            return null;
        }

        var settings = new ClusterTlsSettings(certificate, key, password, trust);
        if (!settings.IsPkcs12 && key is null)
        {
            throw new InvalidOperationException(
                $"{Name($"{ClusterTlsPath}.certificate")} is a PEM certificate: set {Name($"{ClusterTlsPath}.key")} to its key, " +
                "or give a PKCS#12 file (.pfx, .p12) holding both");
        }

        return settings;
    }

    // With TLS, Akka.Remote's addresses are akka.ssl.tcp://: a plain akka.tcp:// seed can never be reached. Without
    // it, an akka.ssl.tcp:// seed has no transport at all, and Akka.Remote retries it without end, logging each try.
    private static void RequireSeedNodesOverTls(Config config, ClusterTlsSettings? clusterTls)
    {
        var seeds = config.GetString("liiklus.cluster.seed-nodes", "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var plain = seeds.FirstOrDefault(seed => !seed.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal));
        if (clusterTls is not null && plain is not null)
        {
            throw new InvalidOperationException(
                $"{Name("liiklus.cluster.seed-nodes")}: with cluster TLS every seed node is akka.ssl.tcp://liiklus@host:port, not '{plain}'");
        }

        var overTls = seeds.FirstOrDefault(seed => seed.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal));
        if (clusterTls is null && overTls is not null)
        {
            throw new InvalidOperationException(
                $"{Name("liiklus.cluster.seed-nodes")}: {overTls} is a seed node over cluster TLS: set " +
                $"{Name($"{ClusterTlsPath}.certificate")} to this node's cluster certificate, or give akka.tcp:// seed nodes");
        }
    }

    private static Dictionary<string, string> KeysFrom(Config config)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.HasPath($"{Auth}.keys"))
        {
            return keys;
        }

        var value = config.GetValue($"{Auth}.keys");
        if (!value.IsObject())
        {
            throw new InvalidOperationException($"{Auth}.keys must be an object of kid = public key");
        }

        foreach (var (kid, key) in value.GetObject().Items)
        {
            if (!key.IsString() || key.GetString().Trim().Length == 0)
            {
                throw new InvalidOperationException(
                    $"grpc_auth_keys_{kid} ({Auth}.keys.{kid}) must be a public key, PEM or base64 DER (a quoted kid holding dots)");
            }

            keys[kid] = key.GetString().Trim();
        }

        return keys;
    }

    private static bool Boolean(Config config, string path)
    {
        var text = config.GetString(path, "false").Trim().ToLowerInvariant();
        return text switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" or "" => false,
            _ => throw new InvalidOperationException($"{Name(path)} '{text}' is not true or false"),
        };
    }

    private static string? File(Config config, string path) => SettingPaths.FilePath(config.GetString(path, ""));

    private static string? Optional(Config config, string path) => config.GetString(path, "").Trim() is { Length: > 0 } value ? value : null;

    // Not trimmed: a password may end in a space.
    private static Secret? SecretOf(Config config, string path) => config.GetString(path, "") is { Length: > 0 } value ? new Secret(value) : null;

    private static string Name(string path) => SettingNames.Of(path);
}
