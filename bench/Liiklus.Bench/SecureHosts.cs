using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Bench;

/// <summary>
/// What TLS and JWT cost: a gateway with TLS, RSA512 tokens and rights from scopes, beside the bare baseline served
/// over TLS with the same certificate, each on its own loopback port, with clients on TLS channels of their own.
/// Started for the secure benchmarks alone, so the others run beside nothing extra.
/// </summary>
public sealed class SecureHosts : IAsyncDisposable
{
    private readonly TestFiles _files = new();
    private readonly List<GrpcChannel> _channels = [];
    private readonly RSA _signingKey = RSA.Create(2048);
    private TestCertificateAuthority _ca = null!;
    private TestGateway _gateway = null!;
    private WebApplication _bare = null!;

    /// <summary>Sends an RS512 token granting every topic on every call.</summary>
    public LiiklusService.LiiklusServiceClient Gateway { get; private set; } = null!;

    public LiiklusService.LiiklusServiceClient Bare { get; private set; } = null!;

    public IRecordsStorage GatewayRecords => _gateway.Services.GetRequiredService<IRecordsStorage>();

    public static async Task<SecureHosts> StartAsync()
    {
        var hosts = new SecureHosts { _ca = TestCertificateAuthority.Create("Bench CA") };
        var server = hosts._ca.IssueServer();
        var chain = hosts._files.WriteCertificate("server.crt", server);
        var key = hosts._files.WriteKey("server.key", server);
        hosts._gateway = await TestGateway.StartAsync($"""
            liiklus.storage.memory.retention-per-partition = {BenchHosts.RetentionPerPartition}
            liiklus.grpc.tls.key-cert-chain = "{chain}"
            liiklus.grpc.tls.key = "{key}"
            liiklus.grpc.auth.alg = RSA512
            liiklus.grpc.auth.keys.main = {JsonSerializer.Serialize(hosts._signingKey.ExportSubjectPublicKeyInfoPem())}
            liiklus.grpc.auth.require-scopes = true
            """);
        hosts._bare = BuildBare(server);
        await hosts._bare.StartAsync();

        var token = TestTokens.Sign(TestTokens.Rsa(hosts._signingKey, "main"), "bench", "liiklus:publish:* liiklus:consume:*");
        hosts.Gateway = hosts.ChannelTo(hosts._gateway.Address).WithToken(token);
        hosts.Bare = new LiiklusService.LiiklusServiceClient(hosts.ChannelTo(
            hosts._bare.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()));
        return hosts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _gateway.DisposeAsync();
        await _bare.StopAsync();
        await _bare.DisposeAsync();
        _signingKey.Dispose();
        _files.Dispose();
    }

    private static WebApplication BuildBare(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateBuilder(["--Logging:LogLevel:Default=Warning"]);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(certificate);
            }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(BareLiiklusService.NewStorage());
        var app = builder.Build();
        app.MapGrpcService<BareLiiklusService>();
        return app;
    }

    private GrpcChannel ChannelTo(string address)
    {
        var channel = SecureClients.Channel(address, _ca);
        _channels.Add(channel);
        return channel;
    }
}
