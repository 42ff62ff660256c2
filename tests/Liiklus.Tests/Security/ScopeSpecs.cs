using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Security;

/// <summary>Per-tenant rights from the token's scopes (<c>grpc_auth_requireScopes</c>), on one shared gateway.</summary>
public sealed class ScopeSpecs(ScopeSpecs.ScopedGateway gateway) : IClassFixture<ScopeSpecs.ScopedGateway>
{
    [Fact]
    public async Task Token_publishes_and_consumes_only_its_topics_and_prefixes()
    {
        var client = gateway.ClientFor("tenant-a", "liiklus:publish:a.orders liiklus:consume:a.orders liiklus:publish:a.logs.* liiklus:consume:a.*");

        await SixCalls.SucceedAsync(client, "a.orders", "a-group");
        await client.PublishAsync("a.logs.web", "by prefix");
        await client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = "a.anything" });
        var publishElsewhere = await SecureClients.StatusOf(() => client.PublishAsync("b.orders", "not mine"));
        var publishOutsidePrefix = await SecureClients.StatusOf(() => client.PublishAsync("a.logsx", "not under a.logs."));
        var consumeElsewhere = await SixCalls.StatusesAsync(client, "b.orders", "a-group", await gateway.SessionOfAsync("b.orders", "b-group"));

        Assert.Equal(StatusCode.PermissionDenied, publishElsewhere.StatusCode);
        Assert.Equal("the token's scope lacks liiklus:publish:b.orders", publishElsewhere.Detail);
        Assert.Equal(StatusCode.PermissionDenied, publishOutsidePrefix.StatusCode);
        Assert.All(consumeElsewhere, status => Assert.Equal(StatusCode.PermissionDenied, status.Value));
    }

    [Fact]
    public async Task Another_tenants_session_id_is_denied_for_receive_and_legacy_ack()
    {
        var tenantA = gateway.ClientFor("tenant-a", "liiklus:publish:a.* liiklus:consume:a.*");
        var tenantB = gateway.ClientFor("tenant-b", "liiklus:consume:b.*");
        var published = await tenantA.PublishAsync("a.payments", "secret payment", key: "k");
        using var subscription = tenantA.Subscribe("a.payments", "a-payments");
        var sessionOfA = (await subscription.NextAsync(8)).Single(a => a.Partition == published.Partition);

        var receive = await SecureClients.StatusOf(async () =>
        {
            using var call = tenantB.Receive(sessionOfA);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
#pragma warning disable CS0612 // the legacy session-bound ack
        var ack = await SecureClients.StatusOf(() => tenantB.AckAsync(new AckRequest { Assignment = sessionOfA, Offset = published.Offset }).ResponseAsync);
#pragma warning restore CS0612
        using var ownReceive = tenantA.Receive(sessionOfA);
        var ownRecords = await ownReceive.ReadAsync(1);

        Assert.Equal(StatusCode.PermissionDenied, receive.StatusCode);
        Assert.Equal("the token's scope lacks liiklus:consume:a.payments", receive.Detail);
        Assert.Equal(StatusCode.PermissionDenied, ack.StatusCode);
        Assert.Equal("secret payment", ownRecords[0].Record.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Group_scopes_restrict_the_group_names_a_consumer_may_use()
    {
        var client = gateway.ClientFor("billing", "liiklus:consume:shared.* liiklus:group:billing-* liiklus:group:audit");
        var anyGroup = gateway.ClientFor("reporting", "liiklus:consume:shared.*");

        using var allowed = client.Subscribe("shared.events", "billing-eu");
        await allowed.NextAsync();
        using var exact = client.Subscribe("shared.events", "audit");
        await exact.NextAsync();
        // A legacy versioned name is the group "billing-eu", version 2.
        await client.GetOffsetsAsync(new GetOffsetsRequest { Topic = "shared.events", Group = "billing-eu-v2" });
        var otherGroup = await SecureClients.StatusOf(async () =>
        {
            using var denied = client.Subscribe("shared.events", "reporting");
            await denied.NextAsync();
        });
        var otherGroupAck = await SecureClients.StatusOf(() =>
            client.AckAsync(new AckRequest { Topic = "shared.events", Group = "reporting", Partition = 0, Offset = 1 }).ResponseAsync);
        using var unrestricted = anyGroup.Subscribe("shared.events", "reporting");
        await unrestricted.NextAsync();

        Assert.Equal(StatusCode.PermissionDenied, otherGroup.StatusCode);
        Assert.Equal("the token's scope lacks liiklus:group:reporting", otherGroup.Detail);
        Assert.Equal(StatusCode.PermissionDenied, otherGroupAck.StatusCode);
    }

    [Fact]
    public async Task Refused_call_is_logged_at_information_with_subject_and_missing_right()
    {
        var client = gateway.ClientFor("tenant-logged", "liiklus:consume:mine");

        await SecureClients.StatusOf(() => client.PublishAsync("theirs", "value"));

        var line = await Eventually.Until(
            () => Task.FromResult(gateway.Logs.Lines.FirstOrDefault(l => l.Line.Contains("tenant-logged", StringComparison.Ordinal))),
            l => l.Line is not null,
            "the refusal logged");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("Refused Publish for subject tenant-logged: missing right liiklus:publish:theirs", line.Line);
    }

    [Fact]
    public async Task Admin_reads_need_the_topics_consume_scope_and_listings_show_only_what_the_token_may_read()
    {
        var tenant = NewName("adm");
        var (mine, theirs) = ($"{tenant}.mine", $"{tenant}.theirs");
        var everything = gateway.ClientFor("admin", $"liiklus:publish:{tenant}.* liiklus:consume:{tenant}.*");
        foreach (var topic in new[] { mine, theirs })
        {
            var partition = (await everything.PublishAsync(topic, "v", key: "k")).Partition;
            await everything.AckAsync(new AckRequest { Topic = topic, Group = "reporting", Partition = partition, Offset = 0 });
            await everything.AckAsync(new AckRequest { Topic = topic, Group = "billing", Partition = partition, Offset = 0 });
        }

        var admin = gateway.AdminFor("tenant-admin", $"liiklus:consume:{mine} liiklus:group:billing");

        var denied = new[]
        {
            await SecureClients.StatusOf(() => admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = theirs }).ResponseAsync),
            await SecureClients.StatusOf(() => admin.ListGroupsAsync(new ListGroupsRequest { Topic = theirs }).ResponseAsync),
            await SecureClients.StatusOf(() => admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = theirs, Group = "billing" }).ResponseAsync),
        };
        var otherGroup = await SecureClients.StatusOf(() => admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = mine, Group = "reporting" }).ResponseAsync);
        var topics = (await admin.ListTopicsAsync(new ListTopicsRequest())).Topics;
        var groups = await Eventually.Until(
            () => admin.ListGroupsAsync(new ListGroupsRequest()).ResponseAsync,
            reply => reply.Groups.Any(g => g.Topic == mine),
            "the readable group in the listing of every topic");

        Assert.All(denied, status =>
        {
            Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
            Assert.Equal($"the token's scope lacks liiklus:consume:{theirs}", status.Detail);
        });
        Assert.Equal(StatusCode.PermissionDenied, otherGroup.StatusCode);
        Assert.Equal("the token's scope lacks liiklus:group:reporting", otherGroup.Detail);
        Assert.Equal([mine], topics.Where(t => t.StartsWith(tenant, StringComparison.Ordinal)));
        Assert.Equal([(mine, "billing")], groups.Groups.Select(g => (g.Topic, g.Group)));
        Assert.Equal(mine, (await admin.DescribeTopicAsync(new DescribeTopicRequest { Topic = mine })).Topic);
        Assert.Equal("billing", (await admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = mine, Group = "billing" })).Group);
    }

    [Fact]
    public async Task Browse_needs_the_topics_consume_scope_and_watch_group_also_the_groups_scope()
    {
        var tenant = NewName("brw");
        var (mine, theirs) = ($"{tenant}.mine", $"{tenant}.theirs");
        var everything = gateway.ClientFor("admin", $"liiklus:publish:{tenant}.* liiklus:consume:{tenant}.*");
        foreach (var topic in new[] { mine, theirs })
        {
            var partition = (await everything.PublishAsync(topic, "v", key: "k")).Partition;
            await everything.AckAsync(new AckRequest { Topic = topic, Group = "billing", Partition = partition, Offset = 0 });
            await everything.AckAsync(new AckRequest { Topic = topic, Group = "reporting", Partition = partition, Offset = 0 });
        }

        var admin = gateway.AdminFor("tenant-admin", $"liiklus:consume:{mine} liiklus:group:billing");

        var browseTheirs = await SecureClients.StatusOf(() => FirstAsync(admin.Browse(new BrowseRequest { Topic = theirs })));
        var watchTheirs = await SecureClients.StatusOf(() => FirstAsync(admin.WatchGroup(new WatchGroupRequest { Topic = theirs, Group = "billing" })));
        var watchOtherGroup = await SecureClients.StatusOf(() => FirstAsync(admin.WatchGroup(new WatchGroupRequest { Topic = mine, Group = "reporting" })));
        var browsed = await FirstAsync(admin.Browse(new BrowseRequest { Topic = mine }));
        var watched = await FirstAsync(admin.WatchGroup(new WatchGroupRequest { Topic = mine, Group = "billing" }));

        Assert.All([browseTheirs, watchTheirs], status =>
        {
            Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
            Assert.Equal($"the token's scope lacks liiklus:consume:{theirs}", status.Detail);
        });
        Assert.Equal((StatusCode.PermissionDenied, "the token's scope lacks liiklus:group:reporting"), (watchOtherGroup.StatusCode, watchOtherGroup.Detail));
        Assert.Equal("v", browsed.Value.ToStringUtf8());
        Assert.Equal((mine, "billing"), (watched.Topic, watched.Group));
    }

    [Fact]
    public async Task Resets_and_deletions_need_the_topics_admin_scope_and_a_refused_reset_changes_nothing()
    {
        var topic = $"{NewName("rst")}.orders";
        var everything = gateway.ClientFor("admin", $"liiklus:publish:{topic} liiklus:consume:{topic}");
        var partition = (await everything.PublishAsync(topic, "v0", key: "k")).Partition;
        await everything.PublishAsync(topic, "v1", key: "k");
        await everything.AckAsync(new AckRequest { Topic = topic, Group = "billing", Partition = partition, Offset = 1 });
        var reader = gateway.AdminFor("reader", $"liiklus:consume:{topic}");
        var operatorAdmin = gateway.AdminFor("operator-7", $"liiklus:admin:{topic[..4]}*");
        var reset = new ResetPositionsRequest { Topic = topic, Group = "billing", ToEarliest = true, Execute = true };

        var refusedReset = await SecureClients.StatusOf(() => reader.ResetPositionsAsync(reset).ResponseAsync);
        var refusedDelete = await SecureClients.StatusOf(() => reader.DeleteGroupAsync(new DeleteGroupRequest { Topic = topic, Group = "billing" }).ResponseAsync);
        var unchanged = (await everything.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = "billing" })).Offsets[partition];
        var done = await operatorAdmin.ResetPositionsAsync(reset);

        Assert.All([refusedReset, refusedDelete], status =>
        {
            Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
            Assert.Equal($"the token's scope lacks liiklus:admin:{topic}", status.Detail);
        });
        Assert.Equal(1ul, unchanged);
        Assert.Equal(0ul, done.Partitions.Single(p => p.Partition == partition).NewPosition);
        Assert.Empty((await everything.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = "billing" })).Offsets);
        // The executed reset is logged with who asked and each partition's move.
        var logged = await Eventually.Until(
            () => Task.FromResult(gateway.Logs.Lines.FirstOrDefault(l => l.Line.Contains(topic, StringComparison.Ordinal) && l.Line.Contains("reset by", StringComparison.Ordinal))),
            l => l.Line is not null,
            "the reset logged");
        Assert.Contains("reset by operator-7", logged.Line);
        Assert.Contains($"partition {partition} 2 -> 0", logged.Line);
    }

    [Fact]
    public async Task Invalid_request_is_invalid_before_it_is_denied()
    {
        var client = gateway.ClientFor("tenant-a", "liiklus:consume:a.*");

        var status = await SecureClients.StatusOf(() => client.GetOffsetsAsync(new GetOffsetsRequest { Topic = "b.orders" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
    }

    private static async Task<T> FirstAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.True(await call.ResponseStream.MoveNext(deadline.Token), "the stream ended without a message");
            return call.ResponseStream.Current;
        }
    }

    /// <summary>One gateway requiring scopes, HS512 tokens, and every log line it writes.</summary>
    [Fact]
    public async Task Describe_cluster_needs_no_scope_and_lists_only_the_coordinated_groups_the_token_may_read()
    {
        var everything = gateway.ClientFor("operator", "liiklus:publish:c.* liiklus:consume:c.*");
        foreach (var topic in new[] { "c.mine", "c.theirs" })
        {
            var published = await everything.PublishAsync(topic, "a record", key: "k");
            // An ack goes through the group's coordinator, which then runs on the node.
            await everything.AckAsync(new AckRequest { Topic = topic, Group = "placed", Partition = published.Partition, Offset = published.Offset });
        }

        var seenByAll = await gateway.AdminFor("operator", "liiklus:consume:c.*").DescribeClusterAsync(new DescribeClusterRequest());
        var seenByOne = await gateway.AdminFor("tenant-c", "liiklus:consume:c.mine").DescribeClusterAsync(new DescribeClusterRequest());
        var seenByNone = await gateway.AdminFor("nobody", "openid").DescribeClusterAsync(new DescribeClusterRequest());

        static IEnumerable<string> Placed(DescribeClusterReply reply) =>
            reply.Nodes.SelectMany(n => n.CoordinatedGroups).Where(g => g.Topic.StartsWith("c.", StringComparison.Ordinal)).Select(g => $"{g.Topic}/{g.Group}");
        Assert.Equal(["c.mine/placed", "c.theirs/placed"], Placed(seenByAll));
        Assert.Equal(["c.mine/placed"], Placed(seenByOne));
        Assert.Empty(Placed(seenByNone));
        Assert.Single(seenByNone.Nodes);
    }

    public sealed class ScopedGateway : IAsyncLifetime
    {
        private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        private TestGateway? _gateway;
        private GrpcChannel? _channel;

        public CapturingLoggerProvider Logs { get; } = new();

        public LiiklusService.LiiklusServiceClient ClientFor(string subject, string scope) =>
            _channel!.WithToken(TestTokens.Sign(TestTokens.Hmac512(System.Text.Encoding.UTF8.GetBytes(_secret)), subject, scope));

        public LiiklusAdminService.LiiklusAdminServiceClient AdminFor(string subject, string scope) =>
            _channel!.AdminWithToken(TestTokens.Sign(TestTokens.Hmac512(System.Text.Encoding.UTF8.GetBytes(_secret)), subject, scope));

        /// <summary>An assignment of another tenant's topic, as a client with every right would get it.</summary>
        public async Task<Assignment> SessionOfAsync(string topic, string group)
        {
            using var subscription = ClientFor("admin", $"liiklus:consume:{topic}").Subscribe(topic, group);
            return await subscription.NextAsync();
        }

        public async Task InitializeAsync()
        {
            _gateway = await TestGateway.StartAsync(
                $"""
                liiklus.grpc.auth.alg = HMAC512
                liiklus.grpc.auth.secret = {JsonSerializer.Serialize(_secret)}
                liiklus.grpc.auth.require-scopes = true
                akka.loglevel = INFO
                """,
                Logs.AddTo);
            _channel = SecureClients.Channel(_gateway.Address, trusted: null);
        }

        public async Task DisposeAsync()
        {
            _channel?.Dispose();
            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }
        }
    }
}
