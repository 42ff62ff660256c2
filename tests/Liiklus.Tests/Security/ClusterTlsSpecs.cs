using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Cluster;
using Akka.Event;
using Liiklus.Api.Hosting;
using Liiklus.Api.Security.Cluster;
using Liiklus.Api.Security.Configuration;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Security;

/// <summary>Akka.Remote over TLS between in-process gateways: only holders of a cluster certificate take part.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTlsSpecs : IAsyncLifetime
{
    private readonly TestFiles _files = new();
    private readonly TestCertificateAuthority _clusterCa = TestCertificateAuthority.Create("Cluster CA");
    private readonly List<TestGateway> _nodes = [];
    private readonly CapturingLoggerProvider _firstNodeLogs = new();

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Nodes_with_the_cluster_certificate_form_a_cluster_and_one_without_it_cannot_join()
    {
        var first = await StartNodeAsync("node-1", _clusterCa, seed: null, _firstNodeLogs);
        var second = await StartNodeAsync("node-2", _clusterCa, seed: first.ClusterAddress);
        await Eventually.Until(() => Task.FromResult(UpMembers(first)), up => up == 2, "two members up");
        var topic = NewName("topic");
        var group = NewName("group");
        using var onFirst = first.Client.Subscribe(topic, group);
        await onFirst.NextAsync(8);
        using var onSecond = second.Client.Subscribe(topic, group);
        var secondsShare = await onSecond.NextAsync(4);

        // The intruder knows the cluster CA's certificate (it is public) but holds no certificate the CA signed.
        var intruder = await StartNodeAsync("intruder", TestCertificateAuthority.Create("Intruder CA"), seed: first.ClusterAddress, trusting: _clusterCa);
        await Eventually.Until(
            () => Task.FromResult(_firstNodeLogs.Lines.Count(l => l.Line.Contains("Refused cluster connection", StringComparison.Ordinal))),
            refusals => refusals > 0,
            "the intruder's connection refused");

        Assert.StartsWith("akka.ssl.tcp://", first.ClusterAddress);
        Assert.Equal(4, secondsShare.Count);
        Assert.Equal(2, UpMembers(first));
        Assert.Equal(2, UpMembers(second));
        Assert.DoesNotContain(Cluster.Get(first.ActorSystem).State.Members, m => m.Address.Equals(Cluster.Get(intruder.ActorSystem).SelfAddress));
        Assert.NotEqual(MemberStatus.Up, Cluster.Get(intruder.ActorSystem).SelfMember.Status);
    }

    [Fact]
    public async Task Connection_without_a_cluster_certificate_is_closed_before_any_traffic()
    {
        var node = await StartNodeAsync("node-1", _clusterCa, seed: null);
        var port = Cluster.Get(node.ActorSystem).SelfAddress.Port!.Value;
        var stranger = TestCertificateAuthority.Create("Stranger CA").IssueNode("stranger");

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var deadline = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        bool closed;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = new X509CertificateCollection { stranger },
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, deadline.Token);
            // TLS 1.3 reports the server's refusal of the client certificate on the first read.
            closed = await tls.ReadAsync(new byte[1], deadline.Token) == 0;
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            closed = true;
        }

        Assert.True(closed, "the node kept a connection that has no cluster certificate open");
    }

    [Fact]
    public void Without_a_cluster_ca_a_peer_must_present_the_shared_certificate()
    {
        var shared = _clusterCa.IssueNode("cluster");
        var certificates = ClusterCertificates.Load(new ClusterTlsSettings(
            _files.WriteCertificate("cluster.crt", shared), _files.WriteKey("cluster.key", shared), null, null));

        var samePublicCertificate = X509CertificateLoader.LoadCertificate(shared.RawData);
        var sameCa = _clusterCa.IssueNode("sibling");

        Assert.True(certificates.Accepts(samePublicCertificate, null, "peer", SslPolicyErrors.None, NoLogger.Instance));
        Assert.False(certificates.Accepts(sameCa, null, "peer", SslPolicyErrors.None, NoLogger.Instance));
        Assert.False(certificates.Accepts(null, null, "peer", SslPolicyErrors.RemoteCertificateNotAvailable, NoLogger.Instance));
    }

    private static int UpMembers(TestGateway node) => Cluster.Get(node.ActorSystem).State.Members.Count(m => m.Status == MemberStatus.Up);

    private async Task<TestGateway> StartNodeAsync(
        string name,
        TestCertificateAuthority issuer,
        string? seed,
        CapturingLoggerProvider? logs = null,
        TestCertificateAuthority? trusting = null)
    {
        var certificate = issuer.IssueNode(name);
        var hocon = $"""
            liiklus.cluster.tls.certificate = "{_files.WriteCertificate($"{name}.crt", certificate)}"
            liiklus.cluster.tls.key = "{_files.WriteKey($"{name}.key", certificate)}"
            liiklus.cluster.tls.trust-cert = "{_files.WriteCertificate($"{name}-trust.crt", (trusting ?? issuer).Certificate)}"
            """;
        if (seed is not null)
        {
            hocon += $"\nliiklus.cluster.seed-nodes = \"{seed}\"";
        }

        var node = await TestGateway.StartAsync(hocon, services =>
        {
            logs?.AddTo(services);
            // These specs are about who may join, not what the nodes store: their in-memory storages may differ.
            services.AddSingleton(PerNodeStorages.None);
        });
        _nodes.Add(node);
        return node;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _files.Dispose();
    }
}
