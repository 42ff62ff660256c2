using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cli;

/// <summary>
/// The global TLS and token options against a gateway with mutual TLS and HMAC512 tokens with scopes (in this process: a
/// gateway process is first polled for health in plaintext).
/// </summary>
public sealed class CliSecuritySpecs(CliSecuritySpecs.SecureGateway gateway) : IClassFixture<CliSecuritySpecs.SecureGateway>
{
    [Fact]
    public async Task Ca_file_client_certificate_and_token_reach_a_mutual_tls_gateway_that_requires_tokens()
    {
        var withOption = await CliRun.RunAsync([.. gateway.Secure, "--token", gateway.Token, "publish", "secured", "v", "-o", "json"]);
        var withEnvironment = await CliRun.RunAsync(
            [.. gateway.Secure, "topics", "describe", "secured", "-o", "json"],
            environment: new Dictionary<string, string> { ["LIIKLUS_TOKEN"] = gateway.Token });

        Assert.True(await withOption.Exit == 0, withOption.ToString());
        Assert.Equal("secured", Assert.Single(withOption.Documents).GetProperty("topic").GetString());
        Assert.True(await withEnvironment.Exit == 0, withEnvironment.ToString());
        Assert.DoesNotContain(gateway.Token, withOption.Out + withOption.Error + withEnvironment.Out + withEnvironment.Error);
    }

    [Fact]
    public async Task Call_without_a_token_exits_1_unauthenticated()
    {
        var run = await CliRun.RunAsync([.. gateway.Secure, "topics", "list"]);

        Assert.Equal(1, await run.Exit);
        Assert.StartsWith("liiklus: UNAUTHENTICATED: ", run.Error);
    }

    [Fact]
    public async Task Server_certificate_of_an_unknown_ca_is_refused_unless_insecure()
    {
        string[] clientCertificate = ["-s", gateway.Address, "--cert", gateway.ClientCertificate, "--key", gateway.ClientKey, "--token", gateway.Token];

        var refused = await CliRun.RunAsync([.. clientCertificate, "topics", "list"]);
        var insecure = await CliRun.RunAsync([.. clientCertificate, "--insecure", "topics", "list"]);

        Assert.Equal(1, await refused.Exit);
        // Grpc.Net.Client answers INTERNAL for a handshake its own side refused.
        Assert.StartsWith("liiklus: INTERNAL: ", refused.Error);
        Assert.Contains("certificate", refused.Error);
        Assert.True(await insecure.Exit == 0, insecure.ToString());
    }

    [Fact]
    public async Task Client_without_a_certificate_is_refused_by_mutual_tls()
    {
        var run = await CliRun.RunAsync(["-s", gateway.Address, "--ca-file", gateway.CaFile, "--token", gateway.Token, "topics", "list"]);

        Assert.Equal(1, await run.Exit);
        // The server ends the handshake: seen as the connection dropped (UNAVAILABLE) or the TLS stream failing (INTERNAL).
        Assert.Matches("^liiklus: (UNAVAILABLE|INTERNAL): ", run.Error);
    }

    [Fact]
    public async Task Consume_in_a_group_the_token_may_not_use_exits_1_with_the_refusal_instead_of_subscribing_again()
    {
        var run = await CliRun.RunAsync([.. gateway.Secure, "--token", gateway.Token, "consume", "secured", "-g", "billing"]);

        Assert.Equal(1, await run.Exit);
        Assert.StartsWith("liiklus: PERMISSION_DENIED: ", run.Error);
        Assert.Contains("liiklus:group:", run.Error);
    }

    [Fact]
    public async Task Consume_without_a_token_exits_1_unauthenticated_before_subscribing()
    {
        var run = await CliRun.RunAsync([.. gateway.Secure, "consume", "secured", "-g", "cli-billing"]);

        Assert.Equal(1, await run.Exit);
        Assert.StartsWith("liiklus: UNAUTHENTICATED: ", run.Error);
    }

    [Fact]
    public async Task Reset_without_the_topics_admin_scope_exits_1_naming_it()
    {
        var run = await CliRun.RunAsync([.. gateway.Secure, "--token", gateway.Token, "groups", "reset", "secured", "cli-billing", "--to-earliest", "--execute"]);

        Assert.Equal(1, await run.Exit);
        Assert.Equal("liiklus: PERMISSION_DENIED: the token's scope lacks liiklus:admin:secured\n", run.Error);
    }

    /// <summary>A gateway with mutual TLS and HMAC512 tokens with scopes, and the files a client needs.</summary>
    public sealed class SecureGateway : IAsyncLifetime
    {
        private readonly TestFiles _files = new();
        private TestGateway? _gateway;

        public string Address => _gateway?.Address ?? throw new InvalidOperationException("not started");

        public string CaFile { get; private set; } = "";

        public string ClientCertificate { get; private set; } = "";

        public string ClientKey { get; private set; } = "";

        // Long enough for an HMAC-SHA512 key of its own.
        private const string Secret = "cli-secret-cli-secret-cli-secret-cli-secret-cli-secret-cli-secret";

        /// <summary>Every topic, groups named cli-*.</summary>
        public string Token { get; } = TestTokens.Sign(
            TestTokens.Hmac512(System.Text.Encoding.UTF8.GetBytes(Secret)),
            subject: "cli-spec",
            scope: "liiklus:publish:* liiklus:consume:* liiklus:group:cli-*");

        /// <summary>The server and every TLS option that reaches it.</summary>
        public string[] Secure => ["-s", Address, "--ca-file", CaFile, "--cert", ClientCertificate, "--key", ClientKey];

        public async Task InitializeAsync()
        {
            var ca = TestCertificateAuthority.Create("Liiklus CLI Test CA");
            var server = ca.IssueServer();
            var client = ca.IssueClient("cli");
            CaFile = _files.WriteCertificate("ca.crt", ca.Certificate);
            ClientCertificate = _files.WriteCertificate("client.crt", client);
            ClientKey = _files.WriteKey("client.key", client);
            _gateway = await TestGateway.StartAsync($"""
                liiklus.grpc.tls.key-cert-chain = "{_files.WriteCertificate("server.crt", server)}"
                liiklus.grpc.tls.key = "file:{_files.WriteKey("server.key", server)}"
                liiklus.grpc.tls.trust-cert = "{CaFile}"
                liiklus.grpc.auth.alg = HMAC512
                liiklus.grpc.auth.secret = "{Secret}"
                liiklus.grpc.auth.require-scopes = true
                """);
        }

        public async Task DisposeAsync()
        {
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }

            _files.Dispose();
        }
    }
}
