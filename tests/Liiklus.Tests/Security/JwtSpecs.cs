using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Liiklus.Tests.Security;

/// <summary>JWT with Liiklus's settings (HMAC512, RSA512 by kid) and beyond them (RS256, ES256, JWKS, iss, aud).</summary>
public sealed class JwtSpecs : IDisposable
{
    private static readonly string HmacSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    private readonly RSA _main = RSA.Create(2048);
    private readonly RSA _backup = RSA.Create(2048);
    private readonly TestFiles _files = new();

    [Fact]
    public async Task Valid_hmac512_token_is_served_on_all_six_rpcs()
    {
        await using var gateway = await TestGateway.StartAsync(Hmac512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);

        await SixCalls.SucceedAsync(channel.WithToken(TestTokens.Sign(TestTokens.Hmac512(Utf8(HmacSecret)))), "hmac-topic", "hmac-group");
    }

    [Fact]
    public async Task Valid_rsa512_tokens_of_either_kid_are_served_on_all_six_rpcs()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);

        await SixCalls.SucceedAsync(channel.WithToken(TestTokens.Sign(TestTokens.Rsa(_main, "main"))), "rsa-topic-main", "rsa-group");
        await SixCalls.SucceedAsync(channel.WithToken(TestTokens.Sign(TestTokens.Rsa(_backup, "backup"))), "rsa-topic-backup", "rsa-group");
    }

    [Fact]
    public async Task Every_rpc_without_a_token_is_unauthenticated_in_liiklus_words()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);
        var client = new LiiklusService.LiiklusServiceClient(channel);

        var statuses = await SixCalls.StatusesAsync(client, "topic", "group", new Assignment { SessionId = "c2Vzc2lvbg", Partition = 0 });
        var publish = await SecureClients.StatusOf(() => client.PublishAsync("topic", "value"));

        Assert.All(statuses, status => Assert.Equal(StatusCode.Unauthenticated, status.Value));
        Assert.Equal("authorization header not found", publish.Detail);
    }

    public static TheoryData<string, string> RefusedTokens => new()
    {
        { "bad signature", "the signature does not verify" },
        { "expired", "the token expired at" },
        { "unknown kid", "key id 'retired' is not defined to authorize gRPC requests" },
        { "alg=none", "the token is not signed (alg=none)" },
        { "HS512 with the public key", "algorithm HS512 is not accepted; expected RS512" },
        { "malformed", "the token is not a well-formed JWT" },
        { "no kid", "the token has no kid header" },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Refused_token_is_unauthenticated_saying_why(string problem, string message)
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);
        var token = problem switch
        {
            "bad signature" => TestTokens.Sign(TestTokens.Rsa(RSA.Create(2048), "main")),
            "expired" => TestTokens.Sign(TestTokens.Rsa(_main, "main"), expires: DateTime.UtcNow.AddMinutes(-1)),
            "unknown kid" => TestTokens.Sign(TestTokens.Rsa(_main, "retired")),
            "alg=none" => TestTokens.Unsigned(),
            // The classic confusion: the server's public key used as an HMAC secret.
            "HS512 with the public key" => TestTokens.Sign(TestTokens.Hmac512(Utf8(_main.ExportSubjectPublicKeyInfoPem()))),
            "malformed" => "not-a-jwt",
            "no kid" => TestTokens.Sign(new SigningCredentials(new RsaSecurityKey(_main), SecurityAlgorithms.RsaSha512)),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var status = await SecureClients.StatusOf(() => channel.WithToken(token).PublishAsync("topic", "value"));

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.StartsWith("authorization header validation failed: ", status.Detail);
        Assert.Contains(message, status.Detail);
    }

    [Fact]
    public async Task Token_expired_within_the_two_second_clock_skew_is_still_served()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);
        var justExpired = TestTokens.Sign(TestTokens.Rsa(_main, "main"), expires: DateTime.UtcNow.AddMilliseconds(-200));

        var published = await channel.WithToken(justExpired).PublishAsync("skew-topic", "value");

        Assert.Equal("skew-topic", published.Topic);
    }

    [Fact]
    public async Task Token_served_before_is_refused_once_it_expires()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);
        var client = channel.WithToken(TestTokens.Sign(TestTokens.Rsa(_main, "main"), expires: DateTime.UtcNow.AddSeconds(1)));

        await client.PublishAsync("expiring", "while valid");
        var status = await Eventually.Until(
            () => SecureClients.StatusOf(() => client.PublishAsync("expiring", "after expiry")),
            s => s.StatusCode != StatusCode.OK,
            "the remembered token refused after its expiry");

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("the token expired at", status.Detail);
    }

    [Fact]
    public async Task Token_signed_with_a_short_liiklus_secret_is_served()
    {
        await using var gateway = await TestGateway.StartAsync("""
            liiklus.grpc.auth.alg = HMAC512
            liiklus.grpc.auth.secret = "secret"
            """);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);

        var published = await channel.WithToken(TestTokens.HmacSha512ByHand("secret")).PublishAsync("short-secret", "value");
        var wrong = await SecureClients.StatusOf(() => channel.WithToken(TestTokens.HmacSha512ByHand("secreT")).PublishAsync("short-secret", "value"));

        Assert.Equal("short-secret", published.Topic);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
    }

    [Fact]
    public async Task Health_service_answers_without_a_token()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon);
        using var channel = GrpcChannel.ForAddress(gateway.Address);

        var status = await Eventually.Until(
            async () => (await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest())).Status,
            s => s == HealthCheckResponse.Types.ServingStatus.Serving,
            "health SERVING without a token");

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status);
    }

    [Fact]
    public async Task Rs256_and_es256_keys_are_chosen_by_kid()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var rs256 = await TestGateway.StartAsync($"""
            liiklus.grpc.auth.alg = RS256
            liiklus.grpc.auth.keys.main = {Json(Convert.ToBase64String(_main.ExportSubjectPublicKeyInfo()))}
            """);
        await using var es256 = await TestGateway.StartAsync($"""
            liiklus.grpc.auth.alg = ES256
            liiklus.grpc.auth.keys.ec = {Json(ec.ExportSubjectPublicKeyInfoPem())}
            """);
        using var rsChannel = SecureClients.Channel(rs256.Address, trusted: null);
        using var esChannel = SecureClients.Channel(es256.Address, trusted: null);

        await rsChannel.WithToken(TestTokens.Sign(TestTokens.Rsa(_main, "main", SecurityAlgorithms.RsaSha256))).PublishAsync("rs256", "value");
        await esChannel.WithToken(TestTokens.Sign(TestTokens.Es256(ec, "ec"))).PublishAsync("es256", "value");
        var rs512OnRs256 = await SecureClients.StatusOf(() => rsChannel.WithToken(TestTokens.Sign(TestTokens.Rsa(_main, "main"))).PublishAsync("rs256", "value"));

        Assert.Equal(StatusCode.Unauthenticated, rs512OnRs256.StatusCode);
        Assert.Contains("algorithm RS512 is not accepted; expected RS256", rs512OnRs256.Detail);
    }

    [Fact]
    public async Task Jwks_file_verifies_rs256_and_es256_tokens_and_is_reread_when_it_changes()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var added = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwks = _files.Write("jwks.json", KeySet(("rsa-1", new RsaSecurityKey(_main)), ("ec-1", new ECDsaSecurityKey(ec))));
        await using var gateway = await TestGateway.StartAsync($"""
            liiklus.grpc.auth.alg = JWKS
            liiklus.grpc.auth.jwks = "{jwks}"
            """);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);

        await channel.WithToken(TestTokens.Sign(TestTokens.Rsa(_main, "rsa-1", SecurityAlgorithms.RsaSha256))).PublishAsync("jwks", "rs256");
        await channel.WithToken(TestTokens.Sign(TestTokens.Es256(ec, "ec-1"))).PublishAsync("jwks", "es256");
        var addedToken = TestTokens.Sign(TestTokens.Es256(added, "ec-2"));
        var beforeRotation = await SecureClients.StatusOf(() => channel.WithToken(addedToken).PublishAsync("jwks", "new key"));

        _files.Write("jwks.json", KeySet(("ec-2", new ECDsaSecurityKey(added))));
        await Eventually.Until(
            () => SecureClients.StatusOf(() => channel.WithToken(addedToken).PublishAsync("jwks", "new key")),
            status => status.StatusCode == StatusCode.OK,
            "the new key served");
        var retired = await SecureClients.StatusOf(() => channel.WithToken(TestTokens.Sign(TestTokens.Es256(ec, "ec-1"))).PublishAsync("jwks", "old key"));

        Assert.Contains("key id 'ec-2' is not defined", beforeRotation.Detail);
        Assert.Equal(StatusCode.Unauthenticated, retired.StatusCode);
    }

    [Fact]
    public async Task Issuer_and_audience_are_checked_when_set()
    {
        await using var gateway = await TestGateway.StartAsync(Rsa512Hocon + """

            liiklus.grpc.auth.issuer = "https://idp.example"
            liiklus.grpc.auth.audience = "liiklus"
            """);
        using var channel = SecureClients.Channel(gateway.Address, trusted: null);
        var key = TestTokens.Rsa(_main, "main");

        await channel.WithToken(TestTokens.Sign(key, issuer: "https://idp.example", audience: "liiklus")).PublishAsync("iss-aud", "value");
        var otherIssuer = await SecureClients.StatusOf(() =>
            channel.WithToken(TestTokens.Sign(key, issuer: "https://evil.example", audience: "liiklus")).PublishAsync("iss-aud", "value"));
        var otherAudience = await SecureClients.StatusOf(() =>
            channel.WithToken(TestTokens.Sign(key, issuer: "https://idp.example", audience: "billing")).PublishAsync("iss-aud", "value"));

        Assert.Equal(StatusCode.Unauthenticated, otherIssuer.StatusCode);
        Assert.Contains("issuer (iss)", otherIssuer.Detail);
        Assert.Equal(StatusCode.Unauthenticated, otherAudience.StatusCode);
        Assert.Contains("audience (aud)", otherAudience.Detail);
    }

    private static string Hmac512Hocon => $"""
        liiklus.grpc.auth.alg = HMAC512
        liiklus.grpc.auth.secret = {Json(HmacSecret)}
        """;

    // One key as PEM, the other as base64 DER alone: Liiklus accepts both.
    private string Rsa512Hocon => $"""
        liiklus.grpc.auth.alg = RSA512
        liiklus.grpc.auth.keys.main = {Json(_main.ExportSubjectPublicKeyInfoPem())}
        liiklus.grpc.auth.keys.backup = {Json(Convert.ToBase64String(_backup.ExportSubjectPublicKeyInfo()))}
        """;

    private static string KeySet(params (string Kid, AsymmetricSecurityKey Key)[] keys) =>
        JsonSerializer.Serialize(new
        {
            keys = keys.Select(k =>
            {
                var jwk = JsonWebKeyConverter.ConvertFromSecurityKey(k.Key);
                return k.Key is RsaSecurityKey
                    ? (object)new { kty = jwk.Kty, kid = k.Kid, use = "sig", n = jwk.N, e = jwk.E }
                    : new { kty = jwk.Kty, kid = k.Kid, use = "sig", crv = jwk.Crv, x = jwk.X, y = jwk.Y };
            }),
        });

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static string Json(string value) => JsonSerializer.Serialize(value);

    public void Dispose()
    {
        _main.Dispose();
        _backup.Dispose();
        _files.Dispose();
    }
}
