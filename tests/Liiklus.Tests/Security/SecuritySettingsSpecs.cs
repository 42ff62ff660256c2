using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Api.Security.Configuration;
using Xunit;

namespace Liiklus.Tests.Security;

public sealed class SecuritySettingsSpecs
{
    [Fact]
    public void Defaults_are_plaintext_without_tokens()
    {
        var settings = SecuritySettings.From(GatewayHocon.Load(null, _ => null));

        Assert.Null(settings.GrpcTls);
        Assert.Equal(JwtAlgorithm.None, settings.Jwt.Algorithm);
        Assert.Null(settings.ClusterTls);
    }

    [Fact]
    public void Liiklus_environment_variables_set_tls_and_jwt_and_keys_by_kid()
    {
        var environment = new Dictionary<string, string>
        {
            ["grpc_tls_keyCertChain"] = "file:/etc/liiklus/server.crt",
            ["grpc_tls_key"] = "file:///etc/liiklus/server.key",
            ["grpc_tls_keyPassword"] = "pw",
            ["grpc_tls_trustCert"] = "/etc/liiklus/ca.crt",
            ["grpc_auth_alg"] = "rsa512",
            ["grpc_auth_keys_main"] = "MIIBIjANBgkq",
            ["grpc_auth_keys_key.2"] = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
            ["grpc_auth_requireScopes"] = "true",
            ["akka_remote_tls_certificate"] = "/etc/liiklus/node.p12",
            ["akka_remote_tls_trustCert"] = "/etc/liiklus/cluster-ca.crt",
            ["akka_cluster_seed_nodes"] = "akka.ssl.tcp://liiklus@10.0.0.1:4053",
        };

        var settings = SecuritySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name), environment.Keys));

        Assert.Equal(new GrpcTlsSettings("/etc/liiklus/server.crt", "/etc/liiklus/server.key", settings.GrpcTls!.KeyPassword, "/etc/liiklus/ca.crt"), settings.GrpcTls);
        Assert.Equal("pw", settings.GrpcTls.KeyPassword!.Reveal());
        Assert.Equal(JwtAlgorithm.Rsa512, settings.Jwt.Algorithm);
        Assert.Equal("MIIBIjANBgkq", settings.Jwt.Keys["main"]);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\nMIIB", settings.Jwt.Keys["key.2"]);
        Assert.True(settings.Jwt.RequireScopes);
        Assert.Equal("/etc/liiklus/node.p12", settings.ClusterTls!.CertificatePath);
        Assert.True(settings.ClusterTls.IsPkcs12);
    }

    [Theory]
    [InlineData("liiklus.grpc.tls.key = \"/k.pem\"", "needs both grpc_tls_keyCertChain (liiklus.grpc.tls.key-cert-chain)")]
    [InlineData("liiklus.grpc.tls.trust-cert = \"/ca.pem\"", "need TLS: set grpc_tls_key (liiklus.grpc.tls.key)")]
    [InlineData("liiklus.grpc.auth.alg = RSA1024", "grpc_auth_alg (liiklus.grpc.auth.alg) 'RSA1024' is not one of NONE, HMAC512, RSA512, RS256, ES256, JWKS")]
    [InlineData("liiklus.grpc.auth.alg = HMAC512", "HMAC512 needs grpc_auth_secret (liiklus.grpc.auth.secret)")]
    [InlineData("liiklus.grpc.auth.alg = RSA512", "RSA512 needs at least one public key: grpc_auth_keys_<kid>")]
    [InlineData("liiklus.grpc.auth.alg = JWKS", "JWKS needs grpc_auth_jwks (liiklus.grpc.auth.jwks)")]
    [InlineData("liiklus.grpc.auth.require-scopes = true", "set grpc_auth_alg (liiklus.grpc.auth.alg) to HMAC512")]
    [InlineData("liiklus.grpc.auth.require-scopes = maybe\nliiklus.grpc.auth.alg = HMAC512\nliiklus.grpc.auth.secret = s", "grpc_auth_requireScopes (liiklus.grpc.auth.require-scopes) 'maybe' is not true or false")]
    [InlineData("liiklus.grpc.auth.alg = RSA512\nliiklus.grpc.auth.keys.main = \"bm90IGEga2V5\"", "grpc_auth_keys_main (liiklus.grpc.auth.keys.main) is not an RSA public key")]
    [InlineData("liiklus.cluster.tls.certificate = \"/node.pem\"", "is a PEM certificate: set akka_remote_tls_key (liiklus.cluster.tls.key)")]
    [InlineData("liiklus.cluster.tls.certificate = \"/node.p12\"\nliiklus.cluster.seed-nodes = \"akka.tcp://liiklus@10.0.0.1:4053\"", "every seed node is akka.ssl.tcp://")]
    [InlineData("liiklus.cluster.seed-nodes = \"akka.tcp://liiklus@10.0.0.1:4053, akka.ssl.tcp://liiklus@10.0.0.2:4053\"", "akka.ssl.tcp://liiklus@10.0.0.2:4053 is a seed node over cluster TLS: set akka_remote_tls_certificate")]
    [InlineData("liiklus.grpc.tls.key = \"/missing/k.pem\"\nliiklus.grpc.tls.key-cert-chain = \"/missing/c.pem\"", "grpc_tls_keyCertChain (liiklus.grpc.tls.key-cert-chain): cannot read '/missing/c.pem'")]
    public void Wrong_security_settings_stop_start_up_naming_the_setting(string hocon, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString(hocon)));

        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("""{"keys":[{"kty":"oct","kid":"shared","k":"c2VjcmV0"}]}""", "key 'shared' is symmetric (kty oct)")]
    [InlineData("""{"keys":[{"kty":"EC","kid":"ec","crv":"P-256","x":"AQ"}]}""", "key 'ec' lacks the parameters of an EC public key")]
    [InlineData("""{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}""", "every key needs a kid")]
    [InlineData("""not json""", "is not a JSON Web Key Set")]
    public void Unusable_jwks_file_stops_start_up_saying_why(string jwks, string message)
    {
        using var files = new Liiklus.Tests.Support.TestFiles();
        var path = files.Write("jwks.json", jwks);

        var error = Assert.Throws<InvalidOperationException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString($"""
            liiklus.grpc.auth.alg = JWKS
            liiklus.grpc.auth.jwks = "{path}"
            """)));

        Assert.Contains("grpc_auth_jwks (liiklus.grpc.auth.jwks)", error.Message);
        Assert.Contains(message, error.Message);
    }
}
