using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Security;

/// <summary>TLS and mutual TLS on the gRPC port, with certificates a test CA issues.</summary>
public sealed class GrpcTlsSpecs : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly TestCertificateAuthority _ca = TestCertificateAuthority.Create("Liiklus Test CA");

    [Fact]
    public async Task Tls_client_is_served_over_h2()
    {
        await using var gateway = await StartAsync(_ca.IssueServer());
        using var channel = SecureClients.Channel(gateway.Address, _ca);
        var client = new LiiklusService.LiiklusServiceClient(channel);

        var published = await client.PublishAsync("tls-topic", "over tls");

        Assert.StartsWith("https://", gateway.Address);
        Assert.Equal("tls-topic", published.Topic);
    }

    [Fact]
    public async Task Plaintext_client_gets_no_service_on_a_tls_port()
    {
        await using var gateway = await StartAsync(_ca.IssueServer());
        using var channel = SecureClients.Channel(SecureClients.Plaintext(gateway.Address), trusted: null);
        var client = new LiiklusService.LiiklusServiceClient(channel);

        var status = await SecureClients.StatusOf(() => client.PublishAsync("tls-topic", "in the clear"));

        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
    }

    [Fact]
    public async Task Encrypted_key_is_read_with_its_password()
    {
        var server = _ca.IssueServer();
        await using var gateway = await StartAsync(server, keyPassword: "key password");
        using var channel = SecureClients.Channel(gateway.Address, _ca);

        var published = await new LiiklusService.LiiklusServiceClient(channel).PublishAsync("tls-topic", "encrypted key");

        Assert.Equal("tls-topic", published.Topic);
    }

    [Fact]
    public async Task Mutual_tls_refuses_a_client_without_a_certificate()
    {
        await using var gateway = await StartAsync(_ca.IssueServer(), trust: _ca);
        using var channel = SecureClients.Channel(gateway.Address, _ca);

        var status = await SecureClients.StatusOf(() => new LiiklusService.LiiklusServiceClient(channel).PublishAsync("mtls-topic", "anonymous"));

        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
    }

    [Fact]
    public async Task Mutual_tls_refuses_a_client_certificate_of_another_ca()
    {
        var otherCa = TestCertificateAuthority.Create("Someone Else's CA");
        await using var gateway = await StartAsync(_ca.IssueServer(), trust: _ca);
        using var channel = SecureClients.Channel(gateway.Address, _ca, otherCa.IssueClient("intruder"));
        var client = new LiiklusService.LiiklusServiceClient(channel);

        var status = await SecureClients.StatusOf(() => client.PublishAsync("mtls-topic", "from elsewhere"));
        var health = await SecureClients.StatusOf(() => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        Assert.Equal(StatusCode.Unavailable, health.StatusCode);
    }

    [Fact]
    public async Task Mutual_tls_serves_a_client_certificate_signed_by_the_trusted_ca()
    {
        await using var gateway = await StartAsync(_ca.IssueServer(), trust: _ca);
        using var channel = SecureClients.Channel(gateway.Address, _ca, _ca.IssueClient("billing-service"));
        var client = new LiiklusService.LiiklusServiceClient(channel);

        var published = await client.PublishAsync("mtls-topic", "signed client");
        using var subscription = client.Subscribe("mtls-topic", "mtls-group");
        var assignment = await subscription.NextAsync();

        Assert.Equal("mtls-topic", published.Topic);
        Assert.NotEmpty(assignment.SessionId);
    }

    [Fact]
    public async Task Rotated_certificate_is_served_to_new_connections_without_a_restart()
    {
        var first = _ca.IssueServer("first.liiklus.test");
        await using var gateway = await StartAsync(first);
        Assert.Equal(first.Thumbprint, await ServedCertificateAsync(gateway.Address));

        var second = _ca.IssueServer("second.liiklus.test");
        _files.WriteKey("server.key", second);
        _files.WriteCertificate("server.crt", second);

        var served = await Eventually.Until(() => ServedCertificateAsync(gateway.Address), thumbprint => thumbprint == second.Thumbprint, "the rotated certificate served");
        Assert.Equal(second.Thumbprint, served);
    }

    [Fact]
    public async Task Rotation_to_files_that_do_not_match_keeps_the_previous_certificate()
    {
        var logs = new CapturingLoggerProvider();
        var first = _ca.IssueServer("first.liiklus.test");
        await using var gateway = await StartAsync(first, logs: logs);

        // One certificate beside another's key: as when only one of the two files has been replaced yet.
        _files.WriteCertificate("server.crt", _ca.IssueServer("second.liiklus.test"));
        await Eventually.Until(
            () => Task.FromResult(logs.Lines.Count(line => line.Line.Contains("do not load", StringComparison.Ordinal))),
            refusals => refusals > 0,
            "the half-rotated files refused");
        var afterHalfRotation = await ServedCertificateAsync(gateway.Address);

        var third = _ca.IssueServer("third.liiklus.test");
        _files.WriteKey("server.key", third);
        _files.WriteCertificate("server.crt", third);
        var served = await Eventually.Until(() => ServedCertificateAsync(gateway.Address), thumbprint => thumbprint == third.Thumbprint, "the completed rotation served");

        Assert.Equal(first.Thumbprint, afterHalfRotation);
        Assert.Equal(third.Thumbprint, served);
    }

    /// <summary>The certificate a new connection is served, after a call over it succeeded.</summary>
    private async Task<string> ServedCertificateAsync(string address)
    {
        X509Certificate2? seen = null;
        using var channel = SecureClients.Channel(address, _ca, seen: certificate => seen = certificate);
        await new LiiklusService.LiiklusServiceClient(channel).GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = "rotation" });
        return seen!.Thumbprint;
    }

    private Task<TestGateway> StartAsync(
        X509Certificate2 server,
        TestCertificateAuthority? trust = null,
        string? keyPassword = null,
        CapturingLoggerProvider? logs = null)
    {
        var chain = _files.WriteCertificate("server.crt", server);
        var key = _files.WriteKey("server.key", server, keyPassword);
        var hocon = $"""
            liiklus.grpc.tls.key-cert-chain = "{chain}"
            liiklus.grpc.tls.key = "file:{key}"
            """;
        if (keyPassword is not null)
        {
            hocon += $"\nliiklus.grpc.tls.key-password = \"{keyPassword}\"";
        }

        if (trust is not null)
        {
            hocon += $"\nliiklus.grpc.tls.trust-cert = \"{_files.WriteCertificate("ca.crt", trust.Certificate)}\"";
        }

        return TestGateway.StartAsync(hocon, services => logs?.AddTo(services));
    }

    public void Dispose() => _files.Dispose();
}
