using Google.Protobuf;
using Grpc.Core;

namespace Liiklus.Api.Grpc;

/// <summary>
/// Method descriptions for the services' own bindings, with request marshallers that answer a message they cannot
/// parse with INVALID_ARGUMENT naming the expected message type (the generated ones throw, which grpc-dotnet reports
/// as UNKNOWN before any interceptor runs).
/// </summary>
public static class CheckedMethods
{
    public static Method<TRequest, TReply> Unary<TRequest, TReply>(string service, string name, MessageParser<TRequest> request, MessageParser<TReply> reply)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        new(MethodType.Unary, service, name, RequestMarshaller(request), ReplyMarshaller(reply));

    public static Method<TRequest, TReply> ServerStreaming<TRequest, TReply>(string service, string name, MessageParser<TRequest> request, MessageParser<TReply> reply)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        new(MethodType.ServerStreaming, service, name, RequestMarshaller(request), ReplyMarshaller(reply));

    private static Marshaller<T> RequestMarshaller<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        // The type's name comes from the proto file's descriptor, built on first use: only a malformed request needs it,
        // and building every message's descriptor at start would delay the first call.
        return Marshallers.Create<T>(Serialize, context =>
        {
            try
            {
                return parser.ParseFrom(context.PayloadAsReadOnlySequence());
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {MessageTypeName(parser)} message: {e.Message}"));
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
