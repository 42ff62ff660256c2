using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Liiklus.Tests.Api;

/// <summary>Request bytes that are not the message an RPC expects, sent as a raw HTTP/2 gRPC call.</summary>
public sealed class MalformedRequestSpecs
{
    private const int PayloadsPerMethod = 100;

    public static TheoryData<string, MessageParser> Methods => new()
    {
        { "Publish", PublishRequest.Parser },
        { "Subscribe", SubscribeRequest.Parser },
        { "Receive", ReceiveRequest.Parser },
        { "Ack", AckRequest.Parser },
        { "GetOffsets", GetOffsetsRequest.Parser },
        { "GetEndOffsets", GetEndOffsetsRequest.Parser },
    };

    // ListTopics and ListGroups are left out: bytes that parse as their (all but) empty requests are valid requests.
    public static TheoryData<string, MessageParser> AdminMethods => new()
    {
        { "DescribeTopic", DescribeTopicRequest.Parser },
        { "DescribeGroup", DescribeGroupRequest.Parser },
        { "WatchGroup", WatchGroupRequest.Parser },
        { "Browse", BrowseRequest.Parser },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public Task Random_bytes_are_answered_invalid_argument_naming_the_expected_message_and_nothing_is_logged_above_debug(string method, MessageParser parser) =>
        RandomBytesAreRefusedAsync($"com.github.bsideup.liiklus.LiiklusService/{method}", parser);

    [Theory]
    [MemberData(nameof(AdminMethods))]
    public Task Random_bytes_to_the_admin_api_are_answered_invalid_argument_naming_the_expected_message_and_nothing_is_logged_above_debug(string method, MessageParser parser) =>
        RandomBytesAreRefusedAsync($"liiklus.admin.v1.LiiklusAdminService/{method}", parser);

    private static async Task RandomBytesAreRefusedAsync(string method, MessageParser parser)
    {
        var logs = new CapturingLoggerProvider();
        // Logging as a deployment does by default: information and above.
        await using var gateway = await TestGateway.StartAsync("", logs.AddAsConsoleWouldSee, "--Logging:LogLevel:Default=Information");
        using var http = new HttpClient(new SocketsHttpHandler());
        var random = new Random(method.GetHashCode(StringComparison.Ordinal));
        var typeName = parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
        var linesBefore = logs.Lines.Count;

        var unparsable = 0;
        for (var i = 0; i < PayloadsPerMethod; i++)
        {
            var payload = new byte[random.Next(1, 200)];
            random.NextBytes(payload);
            var (status, message) = await CallAsync(http, gateway.Address, method, payload);

            // Random bytes now and then happen to parse: then the request's own checks refuse it, naming a field.
            Assert.True(status == "3", $"payload {Convert.ToHexString(payload)}: grpc-status {status} '{message}'");
            if (!Parses(parser, payload))
            {
                unparsable++;
                Assert.Contains(typeName, message);
            }
        }

        Assert.True(unparsable > PayloadsPerMethod / 2, $"only {unparsable} of the payloads were unparsable");
        var loud = logs.Lines.Skip(linesBefore).ToList();
        Assert.True(loud.Count == 0, string.Join('\n', loud.Select(l => $"{l.Level} {l.Category}: {l.Line}")));
        Assert.NotEmpty(await gateway.Client.GetEndOffsetsAsync(new GetEndOffsetsRequest { Topic = "still-serving" }).ResponseAsync.ContinueWith(_ => "served"));
    }

    private static bool Parses(MessageParser parser, byte[] payload)
    {
        try
        {
            parser.ParseFrom(payload);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>One gRPC call with a hand-made frame: compressed flag 0, big-endian length, the payload.</summary>
    private static async Task<(string? Status, string Message)> CallAsync(HttpClient http, string address, string method, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{address}/{method}")
        {
            // HTTP/2 without TLS from the first byte (prior knowledge), as gRPC clients speak to the gateway.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var timeout = new CancellationTokenSource(LiiklusClientExtensions.Deadline);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        return (Header(response, "grpc-status"), Uri.UnescapeDataString(Header(response, "grpc-message") ?? $"HTTP {(int)response.StatusCode}"));
    }

    // A call that fails before any reply carries its status in the headers ("trailers-only"), else in the trailers.
    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var trailing) ? trailing.First()
        : response.Headers.TryGetValues(name, out var leading) ? leading.First()
        : null;
}
