using System.Security.Cryptography;
using System.Text.Json;
using Akka.Configuration;
using Grpc.Core;
using Liiklus.Api.Hosting;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Liiklus.Tests.Security;

/// <summary>No key, password or token in a log line or an error message, whatever goes wrong.</summary>
public sealed class SecretHygieneSpecs : IDisposable
{
    private const string KeyPassword = "pa55-for-the-tls-key";
    private static readonly string HmacSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
    private readonly TestFiles _files = new();
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("Hygiene CA");

    [Fact]
    public async Task No_secret_or_token_reaches_the_logs_or_the_clients()
    {
        var logs = new CapturingLoggerProvider();
        var server = _ca.IssueServer();
        var chain = _files.WriteCertificate("server.crt", server);
        var key = _files.WriteKey("server.key", server, KeyPassword);
        await using var gateway = await TestGateway.StartAsync(
            $"""
            liiklus.grpc.tls.key-cert-chain = "{chain}"
            liiklus.grpc.tls.key = "{key}"
            liiklus.grpc.tls.key-password = "{KeyPassword}"
            liiklus.grpc.auth.alg = HMAC512
            liiklus.grpc.auth.secret = {JsonSerializer.Serialize(HmacSecret)}
            liiklus.grpc.auth.require-scopes = true
            """,
            logs.AddTo);
        using var channel = SecureClients.Channel(gateway.Address, _ca);
        var signing = TestTokens.Hmac512(System.Text.Encoding.UTF8.GetBytes(HmacSecret));
        var tokens = new[]
        {
            TestTokens.Sign(signing, "hygiene", "liiklus:publish:allowed"),
            TestTokens.Sign(signing, "hygiene", "liiklus:publish:allowed", expires: DateTime.UtcNow.AddMinutes(-5)),
            TestTokens.Sign(TestTokens.Hmac512(RandomNumberGenerator.GetBytes(64)), "hygiene"),
            TestTokens.Unsigned("hygiene"),
        };

        var details = new List<string>();
        foreach (var token in tokens)
        {
            var client = channel.WithToken(token);
            details.Add((await SecureClients.StatusOf(() => client.PublishAsync("allowed", "value"))).Detail);
            details.Add((await SecureClients.StatusOf(() => client.PublishAsync("denied", "value"))).Detail);
        }

        var everything = string.Join("\n", logs.Lines.Select(l => l.Line).Concat(details));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Line.Contains("missing right liiklus:publish:denied"));
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Information && l.Line.Contains("the token expired at"));
        Assert.DoesNotContain(HmacSecret, everything);
        Assert.DoesNotContain(KeyPassword, everything);
        Assert.DoesNotContain("PRIVATE KEY", everything);
        Assert.All(tokens, token => Assert.DoesNotContain(token.Split('.')[0] + "." + token.Split('.')[1], everything));
    }

    [Fact]
    public void Wrong_key_password_stops_start_up_naming_the_setting_but_not_the_password()
    {
        var server = _ca.IssueServer();
        var chain = _files.WriteCertificate("server.crt", server);
        var key = _files.WriteKey("server.key", server, KeyPassword);

        var error = Assert.Throws<InvalidOperationException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString($"""
            liiklus.grpc.tls.key-cert-chain = "{chain}"
            liiklus.grpc.tls.key = "{key}"
            liiklus.grpc.tls.key-password = "not-{KeyPassword}"
            """)));

        Assert.Contains("grpc_tls_key (liiklus.grpc.tls.key) could not be decrypted with its password", error.Message);
        Assert.DoesNotContain(KeyPassword, error.Message);
    }

    [Fact]
    public void Settings_print_without_their_secrets()
    {
        var settings = Liiklus.Api.Security.Configuration.SecuritySettings.From(ConfigurationFactory.ParseString($"""
            liiklus.grpc.auth.alg = HMAC512
            liiklus.grpc.auth.secret = {JsonSerializer.Serialize(HmacSecret)}
            """));

        Assert.DoesNotContain(HmacSecret, settings.ToString());
        Assert.Contains("(secret)", settings.ToString());
    }

    public void Dispose() => _files.Dispose();
}
