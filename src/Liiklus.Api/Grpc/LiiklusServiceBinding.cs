using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Api.Grpc;

/// <summary>
/// Binds <see cref="LiiklusServiceContract"/> to the Liiklus service's six methods, as the generated binding does, but with
/// request marshallers that answer a message they cannot parse with INVALID_ARGUMENT naming the expected message type
/// (the generated ones throw, which grpc-dotnet reports as UNKNOWN before any interceptor runs).
/// </summary>
public static class LiiklusServiceBinding
{
    private const string ServiceName = "com.github.bsideup.liiklus.LiiklusService";

    private static readonly Method<PublishRequest, PublishReply> Publish = Unary("Publish", PublishRequest.Parser, PublishReply.Parser);
    private static readonly Method<SubscribeRequest, SubscribeReply> Subscribe = ServerStreaming("Subscribe", SubscribeRequest.Parser, SubscribeReply.Parser);
    private static readonly Method<ReceiveRequest, ReceiveReply> Receive = ServerStreaming("Receive", ReceiveRequest.Parser, ReceiveReply.Parser);
    private static readonly Method<AckRequest, Empty> Ack = Unary("Ack", AckRequest.Parser, Empty.Parser);
    private static readonly Method<GetOffsetsRequest, GetOffsetsReply> GetOffsets = Unary("GetOffsets", GetOffsetsRequest.Parser, GetOffsetsReply.Parser);
    private static readonly Method<GetEndOffsetsRequest, GetEndOffsetsReply> GetEndOffsets =
        Unary("GetEndOffsets", GetEndOffsetsRequest.Parser, GetEndOffsetsReply.Parser);

    /// <summary>The service's descriptor, for gRPC reflection.</summary>
    public static ServiceDescriptor Descriptor => LiiklusService.Descriptor;

    /// <summary>Called by grpc-dotnet, which resolves the service per call and invokes its methods by name.</summary>
    public static void BindService(ServiceBinderBase binder, LiiklusServiceContract? service)
    {
        binder.AddMethod(Publish, (UnaryServerMethod<PublishRequest, PublishReply>?)null);
        binder.AddMethod(Subscribe, (ServerStreamingServerMethod<SubscribeRequest, SubscribeReply>?)null);
        binder.AddMethod(Receive, (ServerStreamingServerMethod<ReceiveRequest, ReceiveReply>?)null);
        binder.AddMethod(Ack, (UnaryServerMethod<AckRequest, Empty>?)null);
        binder.AddMethod(GetOffsets, (UnaryServerMethod<GetOffsetsRequest, GetOffsetsReply>?)null);
        binder.AddMethod(GetEndOffsets, (UnaryServerMethod<GetEndOffsetsRequest, GetEndOffsetsReply>?)null);
    }

    private static Method<TRequest, TReply> Unary<TRequest, TReply>(string name, MessageParser<TRequest> request, MessageParser<TReply> reply)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        new(MethodType.Unary, ServiceName, name, RequestMarshaller(request), ReplyMarshaller(reply));

    private static Method<TRequest, TReply> ServerStreaming<TRequest, TReply>(string name, MessageParser<TRequest> request, MessageParser<TReply> reply)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        new(MethodType.ServerStreaming, ServiceName, name, RequestMarshaller(request), ReplyMarshaller(reply));

    private static Marshaller<T> RequestMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        var typeName = MessageTypeName(parser);
        return Marshallers.Create<T>(Serialize, context =>
        {
            try
            {
                return parser.ParseFrom(context.PayloadAsReadOnlySequence());
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeName} message: {e.Message}"));
            }
        });
    }

    private static Marshaller<T> ReplyMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T> =>
        Marshallers.Create<T>(Serialize, context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IMessage<T>
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static string MessageTypeName<T>(MessageParser<T> parser)
        where T : IMessage<T> =>
        parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
}
