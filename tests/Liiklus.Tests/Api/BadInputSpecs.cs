using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>Every kind of bad input gets a specific status naming the field, and the gateway keeps serving.</summary>
public sealed class BadInputSpecs(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private readonly LiiklusService.LiiklusServiceClient _client = fixture.Client;

    public static TheoryData<string, PublishRequest, string> InvalidPublishes => new()
    {
        { "empty topic", new PublishRequest { LiiklusEvent = NewEvent("text/plain", "x") }, "topic" },
        { "neither value nor event", new PublishRequest { Topic = "t" }, "liiklusEvent" },
        { "event without id", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Id = "") }, "liiklusEvent.id" },
        { "event without type", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Type = "") }, "liiklusEvent.type" },
        { "event without source", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Source = "") }, "liiklusEvent.source" },
        { "event with a malformed time", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Time = "yesterday") }, "liiklusEvent.time" },
        { "extension named like an attribute", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Extensions["id"] = "x") }, "liiklusEvent.extensions['id']" },
        { "extension with upper case", new PublishRequest { Topic = "t", LiiklusEvent = Without(e => e.Extensions["TraceId"] = "x") }, "liiklusEvent.extensions['TraceId']" },
    };

    [Theory]
    [MemberData(nameof(InvalidPublishes))]
    public async Task Invalid_publish_is_answered_invalid_argument_naming_the_field(string why, PublishRequest request, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(request).ResponseAsync);

        Assert.True(StatusCode.InvalidArgument == error.StatusCode, $"{why}: {error.Status}");
        Assert.StartsWith(field + ":", error.Status.Detail);
        await GatewayStillServes();
    }

    [Theory]
    [InlineData("orders/eu")]
    [InlineData("..")]
    [InlineData("with space")]
    public async Task Topic_kafka_would_refuse_is_answered_invalid_argument(string topic)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(topic, "v"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("topic:", error.Status.Detail);
    }

    [Fact]
    public async Task Record_over_the_maximum_size_is_answered_resource_exhausted()
    {
        var request = new PublishRequest { Topic = NewName("topic"), LiiklusEvent = NewEvent("application/octet-stream", "") };
        request.LiiklusEvent.Data = ByteString.CopyFrom(new byte[1_048_577]);

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("1048576", error.Status.Detail);
        await GatewayStillServes();
    }

    [Theory]
    [InlineData("", "g", "topic")]
    [InlineData("t", "", "group")]
    public async Task Subscribe_without_topic_or_group_is_answered_invalid_argument(string topic, string group, string field)
    {
        using var subscription = _client.Subscribe(topic, group);

        var error = await Assert.ThrowsAsync<RpcException>(() => subscription.Completion);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    [Fact]
    public async Task Subscribe_with_an_unknown_offset_reset_is_answered_invalid_argument()
    {
        using var subscription = _client.Subscribe("t", "g", (SubscribeRequest.Types.AutoOffsetReset)7);

        var error = await Assert.ThrowsAsync<RpcException>(() => subscription.Completion);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("auto_offset_reset:", error.Status.Detail);
    }

    [Fact]
    public async Task Receive_without_assignment_is_answered_invalid_argument()
    {
        using var receive = _client.Receive(new ReceiveRequest());

        var error = await Assert.ThrowsAsync<RpcException>(() => receive.ReadToEndAsync());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("assignment:", error.Status.Detail);
    }

    [Theory]
    [InlineData("not-a-session-id")]
    [InlineData("7b0e9a9c-05a4-4b8c-9e38-6a2f0f3b8d11")]
    public async Task Receive_of_an_unknown_session_is_answered_not_found_naming_the_session(string sessionId)
    {
        using var receive = _client.Receive(new Assignment { SessionId = sessionId, Partition = 0 });

        var error = await Assert.ThrowsAsync<RpcException>(() => receive.ReadToEndAsync());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains(sessionId, error.Status.Detail);
    }

    [Fact]
    public async Task Receive_of_a_well_formed_session_its_group_never_saw_is_answered_not_found()
    {
        var forged = Liiklus.Actors.Sessions.SessionToken.New(NewName("topic"), new Liiklus.Storage.Positions.GroupId("g", 0), Liiklus.Actors.Sessions.OffsetReset.Earliest).Encode();
        using var receive = _client.Receive(new Assignment { SessionId = forged, Partition = 0 });

        var error = await Assert.ThrowsAsync<RpcException>(() => receive.ReadToEndAsync());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData("", "g", "topic")]
    [InlineData("t", "", "group")]
    public async Task Ack_without_topic_or_group_is_answered_invalid_argument(string topic, string group, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.AckAsync(new AckRequest { Topic = topic, Group = group, Offset = 1 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    [Fact]
    public async Task Ack_with_an_offset_beyond_int64_is_answered_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.AckAsync(new AckRequest { Topic = "t", Group = "g", Offset = ulong.MaxValue }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("offset:", error.Status.Detail);
    }

    [Fact]
    public async Task Legacy_ack_of_an_unknown_session_is_answered_not_found()
    {
#pragma warning disable CS0612
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.AckAsync(new AckRequest { Assignment = new Assignment { SessionId = "bogus" }, Offset = 1 }).ResponseAsync);
#pragma warning restore CS0612

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Theory]
    [InlineData("", "g", "topic")]
    [InlineData("t", "", "group")]
    public async Task Get_offsets_without_topic_or_group_is_answered_invalid_argument(string topic, string group, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetOffsetsAsync(new GetOffsetsRequest { Topic = topic, Group = group }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field + ":", error.Status.Detail);
    }

    [Fact]
    public async Task Get_end_offsets_without_topic_is_answered_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _client.GetEndOffsetsAsync(new GetEndOffsetsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("topic:", error.Status.Detail);
    }

    [Fact]
    public async Task Receive_accepts_and_ignores_last_known_offset()
    {
        var topic = NewName("topic");
        var published = await _client.PublishAsync(topic, "v", key: "k");
        using var subscription = _client.Subscribe(topic, NewName("group"));
        var assignment = await AssignmentFor(subscription, published.Partition);

        using var receive = _client.Receive(new ReceiveRequest { Assignment = assignment, LastKnownOffset = 12345 });

        Assert.Equal(published.Offset, (await receive.ReadAsync(1))[0].Record.Offset);
    }

    private static LiiklusEvent Without(Action<LiiklusEvent> spoil)
    {
        var liiklusEvent = NewEvent("text/plain", "x");
        spoil(liiklusEvent);
        return liiklusEvent;
    }

    private async Task GatewayStillServes()
    {
        var reply = await _client.PublishAsync(NewName("topic"), "still-serving");
        Assert.False(string.IsNullOrEmpty(reply.Topic));
    }
}
