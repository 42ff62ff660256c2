using Google.Protobuf;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Schema;

/// <summary>
/// Publishing through a gateway with schema validation on: valid events are stored, every invalid one is answered
/// INVALID_ARGUMENT naming what failed, and nothing of it is stored.
/// </summary>
public sealed class SchemaValidationSpecs(SchemaGatewayFixture fixture) : IClassFixture<SchemaGatewayFixture>
{
    private const string Order = "com.example.order.created";
    private readonly LiiklusService.LiiklusServiceClient _client = fixture.Client;

    [Fact]
    public async Task Valid_event_is_stored()
    {
        var topic = NewName("orders");

        var published = await PublishAsync(_client, Publish(topic, Event(Order, """{"orderId":"o-1","amount":5}""")));

        using var subscription = _client.Subscribe(topic, NewName("group"));
        using var receive = _client.Receive(await AssignmentFor(subscription, published.Partition), ReceiveRequest.Types.ContentFormat.LiiklusEvent);
        var stored = (await receive.ReadAsync(1))[0].LiiklusEventRecord;
        Assert.Equal(published.Offset, stored.Offset);
        Assert.Equal("""{"orderId":"o-1","amount":5}""", stored.Event.Data.ToStringUtf8());
    }

    public static TheoryData<string, LiiklusEvent, string[]> InvalidEvents => new()
    {
        {
            "a property of the wrong type", Event(Order, """{"orderId":"o-1","amount":"five"}"""),
            [$"liiklusEvent.data does not match the schema of '{Order}'", "$.amount: string found, integer expected"]
        },
        {
            "a required property missing", Event(Order, """{"amount":5}"""),
            ["$.orderId: is missing but it is required"]
        },
        {
            "an unknown event type", Event("com.example.unknown", """{"orderId":"o-1","amount":5}"""),
            ["liiklusEvent.type: No schema for 'com.example.unknown'"]
        },
        {
            "a content type that is not JSON", Event(Order, """{"orderId":"o-1","amount":5}""", "text/plain"),
            ["liiklusEvent.data_content_type: 'text/plain' is not compatible with application/json"]
        },
        {
            "a deprecated property", Event(Order, """{"orderId":"o-1","amount":5,"note":"old"}"""),
            ["$.note: is deprecated"]
        },
    };

    [Theory]
    [MemberData(nameof(InvalidEvents))]
    public async Task Invalid_event_is_answered_invalid_argument_naming_the_path_and_nothing_is_stored(string why, LiiklusEvent invalid, string[] named)
    {
        var topic = NewName("orders");

        var error = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(_client, Publish(topic, invalid)));

        Assert.True(error.StatusCode == StatusCode.InvalidArgument, $"{why}: {error.Status}");
        foreach (var part in named)
        {
            Assert.Contains(part, error.Status.Detail);
        }

        Assert.Empty((await _client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic })).Offsets);
    }

    [Fact]
    public async Task Legacy_value_is_validated_against_the_type_at_the_json_pointer()
    {
        var topic = NewName("users");

        var stored = await _client.PublishAsync(topic, """{"eventType":"userRegistered","email":"a@b.c"}""", key: "u-1");
        var missingEmail = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(topic, """{"eventType":"userRegistered"}"""));
        var noType = await Assert.ThrowsAsync<RpcException>(() => _client.PublishAsync(topic, """{"email":"a@b.c"}"""));

        Assert.Equal(StatusCode.InvalidArgument, missingEmail.StatusCode);
        Assert.Equal("value does not match the schema of 'userRegistered': $.email: is missing but it is required", missingEmail.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, noType.StatusCode);
        Assert.StartsWith("value/eventType: is missing", noType.Status.Detail);
        var endOffsets = (await _client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = topic })).Offsets;
        Assert.Equal(stored.Offset, endOffsets[stored.Partition]);
        Assert.Equal(1, endOffsets.Values.Count(offset => offset != ulong.MaxValue));
    }

    [Fact]
    public async Task Changed_document_file_is_reloaded()
    {
        using var document = SchemaDocuments.Write(SchemaDocuments.TwoEventTypes);
        await using var gateway = await TestGateway.StartAsync($"""
            liiklus.schema.enabled = true
            liiklus.schema.schema-url = "{document.Url}"
            """);
        var topic = NewName("orders");
        var withCurrency = Event(Order, """{"orderId":"o-1","amount":5,"currency":"EUR"}""");
        var refused = await Assert.ThrowsAsync<RpcException>(() => PublishAsync(gateway.Client, Publish(topic, withCurrency)));
        Assert.Contains("$.currency: is not defined in the schema", refused.Status.Detail);

        document.Replace(SchemaDocuments.TwoEventTypes.Replace("note: { type: string, deprecated: true }", "currency: { type: string }"));

        await Eventually.Until(
            async () => await AcceptedAsync(gateway.Client, Publish(topic, withCurrency)),
            accepted => accepted,
            "the event valid under the changed document to be accepted");
        var nowRefused = await Assert.ThrowsAsync<RpcException>(() =>
            PublishAsync(gateway.Client, Publish(topic, Event(Order, """{"orderId":"o-1","amount":5,"note":"old"}"""))));
        Assert.Contains("$.note: is not defined in the schema", nowRefused.Status.Detail);
    }

    private static Task<PublishReply> PublishAsync(LiiklusService.LiiklusServiceClient client, PublishRequest request) =>
        client.PublishAsync(request, deadline: DateTime.UtcNow + LiiklusClientExtensions.Deadline).ResponseAsync;

    private static async Task<bool> AcceptedAsync(LiiklusService.LiiklusServiceClient client, PublishRequest request)
    {
        try
        {
            await PublishAsync(client, request);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            return false;
        }
    }

    private static PublishRequest Publish(string topic, LiiklusEvent liiklusEvent) =>
        new() { Topic = topic, Key = ByteString.CopyFromUtf8("k"), LiiklusEvent = liiklusEvent };

    private static LiiklusEvent Event(string type, string data, string contentType = "application/json")
    {
        var liiklusEvent = NewEvent(contentType, data);
        liiklusEvent.Type = type;
        return liiklusEvent;
    }
}
