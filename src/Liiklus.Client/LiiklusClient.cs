using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wire = Liiklus.Protocol;

namespace Liiklus.Client;

/// <summary>
/// The Liiklus protocol, call by call, on one gRPC channel. Receive an assignment on the same client that
/// subscribed: the gateway ties a session to its connection's node. Failed calls throw <see cref="RpcException"/>.
/// Thread-safe; keep one per gateway and dispose it at the end.
/// </summary>
public sealed class LiiklusClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Wire.LiiklusService.LiiklusServiceClient _service;
    private readonly TimeSpan _callTimeout;

    /// <summary>A client for the gateway at <see cref="LiiklusClientOptions.Address"/>.</summary>
    /// <exception cref="ArgumentException">a setting cannot work</exception>
    public LiiklusClient(LiiklusClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _callTimeout = options.CallTimeout;
        _channel = GrpcChannel.ForAddress(options.Address!, ChannelOptions(options));
        _service = new Wire.LiiklusService.LiiklusServiceClient(_channel);
        Address = options.Address!;
    }

    /// <summary>The gateway's address.</summary>
    public Uri Address { get; }

    /// <summary>The channel, shared by the clients built on this one (<see cref="LiiklusAdminClient"/>).</summary>
    internal GrpcChannel Channel => _channel;

    /// <summary>Publishes a CloudEvent; the key chooses the partition (murmur2, as Kafka's Java producer).</summary>
    public async Task<PublishResult> PublishAsync(string topic, CloudEvent cloudEvent, ReadOnlyMemory<byte> key = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var reply = await _service.PublishAsync(
            new Wire.PublishRequest { Topic = topic, Key = ByteString.CopyFrom(key.Span), LiiklusEvent = WireMapping.ToWire(cloudEvent) },
            deadline: Deadline(),
            cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return new PublishResult(reply.Topic, (int)reply.Partition, reply.Offset);
    }

    /// <summary>Publishes a plain value with no CloudEvent attributes (the protocol's legacy form).</summary>
    public async Task<PublishResult> PublishAsync(string topic, ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> key = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var request = new Wire.PublishRequest { Topic = topic, Key = ByteString.CopyFrom(key.Span) };
#pragma warning disable CS0612 // the deprecated field is the legacy form's only way to carry a plain value
        request.Value = ByteString.CopyFrom(value.Span);
#pragma warning restore CS0612
        var reply = await _service.PublishAsync(request, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return new PublishResult(reply.Topic, (int)reply.Partition, reply.Offset);
    }

    /// <summary>
    /// Joins <paramref name="group"/> and yields each partition assigned to this subscription, for as long as it
    /// lasts (a partition already owned may come again: it replaces the earlier assignment). Ends when the gateway
    /// ends the subscription; throws when the connection drops.
    /// </summary>
    public async IAsyncEnumerable<PartitionAssignment> SubscribeAsync(
        ConsumerGroup group,
        OffsetReset offsetReset = OffsetReset.Earliest,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        using var call = _service.Subscribe(
            new Wire.SubscribeRequest
            {
                Topic = group.Topic,
                Group = group.Name,
                GroupVersion = group.Version,
                AutoOffsetReset = (Wire.SubscribeRequest.Types.AutoOffsetReset)offsetReset,
            },
            cancellationToken: cancellationToken);
        await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reply.ReplyCase == Wire.SubscribeReply.ReplyOneofCase.Assignment)
            {
                yield return new PartitionAssignment(group, reply.Assignment.SessionId, (int)reply.Assignment.Partition);
            }
        }
    }

    /// <summary>
    /// Streams the records of an assigned partition in offset order from the group's acknowledged position, and
    /// keeps tailing; ends when the partition is revoked or the subscription ends. Records at or before
    /// <paramref name="lastKnownOffset"/> are passed over (also against gateways that ignore the field).
    /// </summary>
    public async IAsyncEnumerable<LiiklusRecord> ReceiveAsync(
        PartitionAssignment assignment,
        ulong? lastKnownOffset = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        using var call = OpenReceive(assignment, lastKnownOffset, cancellationToken);
        var replies = call.ResponseStream;
        var topic = assignment.Group.Topic;
        var decoder = new WireMapping.Decoder();
        // The call's token ends the read: none per read, which would register on every record.
        while (await replies.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            var record = decoder.Record(topic, assignment.Partition, replies.Current);
            if (lastKnownOffset is { } known && record.Offset <= known)
            {
                continue;
            }

            yield return record;
        }
    }

    /// <summary>The Receive call itself, for a loop that decodes its replies with a <see cref="WireMapping.Decoder"/>.</summary>
    internal AsyncServerStreamingCall<Wire.ReceiveReply> OpenReceive(PartitionAssignment assignment, ulong? lastKnownOffset, CancellationToken cancellationToken) =>
        _service.Receive(
            new Wire.ReceiveRequest
            {
                Assignment = new Wire.Assignment { SessionId = assignment.SessionId, Partition = (uint)assignment.Partition },
                LastKnownOffset = lastKnownOffset ?? 0,
                Format = Wire.ReceiveRequest.Types.ContentFormat.LiiklusEvent,
            },
            cancellationToken: cancellationToken);

    /// <summary>Stores <paramref name="offset"/> as the last processed record of the group's partition.</summary>
    public async Task AckAsync(ConsumerGroup group, int partition, ulong offset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        await _service.AckAsync(
            new Wire.AckRequest { Topic = group.Topic, Group = group.Name, GroupVersion = group.Version, Partition = (uint)partition, Offset = offset },
            deadline: Deadline(),
            cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
    }

    /// <summary>The group's acknowledged offsets, by partition (partitions with none are absent).</summary>
    public async Task<IReadOnlyDictionary<int, ulong>> GetOffsetsAsync(ConsumerGroup group, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var reply = await _service.GetOffsetsAsync(
            new Wire.GetOffsetsRequest { Topic = group.Topic, Group = group.Name, GroupVersion = group.Version },
            deadline: Deadline(),
            cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return WireMapping.Offsets(reply);
    }

    /// <summary>The offset of each partition's last record, -1 for a partition with none; empty for an unknown topic.</summary>
    public async Task<IReadOnlyDictionary<int, long>> GetEndOffsetsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var reply = await _service.GetEndOffsetsAsync(
            new Wire.GetEndOffsetsRequest { Topic = topic },
            deadline: Deadline(),
            cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
        return WireMapping.EndOffsets(reply);
    }

    /// <summary>Closes the channel: calls in flight end with CANCELLED.</summary>
    public void Dispose() => _channel.Dispose();

    /// <summary>The deadline of a unary call started now.</summary>
    internal DateTime Deadline() => DateTime.UtcNow + _callTimeout;

    private static GrpcChannelOptions ChannelOptions(LiiklusClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // A gateway caps the streams of one connection; a consumer of many partitions needs more.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = options.KeepAliveInterval,
            KeepAlivePingTimeout = options.KeepAliveTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (options.ClientCertificate is not null || options.TrustedCertificateAuthority is not null || options.DangerousAcceptAnyServerCertificate)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
                RemoteCertificateValidationCallback = options.DangerousAcceptAnyServerCertificate
                    ? (_, _, _, _) => true
                    : options.TrustedCertificateAuthority is { } authority
                        ? (_, certificate, chain, errors) => ChainsTo(authority, certificate, errors)
                        : null,
            };
        }

        var channel = new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            DisposeHttpClient = true,
        };
        if (options.AccessTokenProvider is { } provider)
        {
            channel.Credentials = ChannelCredentials.Create(
                options.Address!.Scheme == "https" ? new SslCredentials() : ChannelCredentials.Insecure,
                CallCredentials.FromInterceptor(async (context, metadata) =>
                {
                    var token = await provider(context.CancellationToken).ConfigureAwait(false);
                    if (!string.IsNullOrEmpty(token))
                    {
                        metadata.Add("authorization", $"Bearer {token}");
                    }
                }));
            // The user chose http:// and a token: a gateway on a trusted network or behind a TLS-terminating proxy.
            channel.UnsafeUseInsecureChannelCallCredentials = options.Address.Scheme == "http";
        }

        return channel;
    }

    private static bool ChainsTo(X509Certificate2 authority, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(presented);
    }
}
