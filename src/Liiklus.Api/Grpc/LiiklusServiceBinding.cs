using Google.Protobuf;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Api.Grpc;

/// <summary>
/// Binds <see cref="LiiklusServiceContract"/> to the Liiklus service's six methods, as the generated binding does, but with
/// <see cref="CheckedMethods"/>' request marshallers (INVALID_ARGUMENT for a message they cannot parse, not UNKNOWN).
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
        CheckedMethods.Unary(ServiceName, name, request, reply);

    private static Method<TRequest, TReply> ServerStreaming<TRequest, TReply>(string name, MessageParser<TRequest> request, MessageParser<TReply> reply)
        where TRequest : IMessage<TRequest>
        where TReply : IMessage<TReply> =>
        CheckedMethods.ServerStreaming(ServiceName, name, request, reply);
}
