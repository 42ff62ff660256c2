using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Liiklus.Protocol;

namespace Liiklus.Api.Grpc;

/// <summary>
/// The Liiklus service's six methods, bound by <see cref="LiiklusServiceBinding"/> instead of the generated binding
/// (grpc-dotnet binds the overrides of the class that names the binding).
/// </summary>
[BindServiceMethod(typeof(LiiklusServiceBinding), nameof(LiiklusServiceBinding.BindService))]
public abstract class LiiklusServiceContract
{
    public abstract Task<PublishReply> Publish(PublishRequest request, ServerCallContext context);

    public abstract Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeReply> responseStream, ServerCallContext context);

    public abstract Task Receive(ReceiveRequest request, IServerStreamWriter<ReceiveReply> responseStream, ServerCallContext context);

    public abstract Task<Empty> Ack(AckRequest request, ServerCallContext context);

    public abstract Task<GetOffsetsReply> GetOffsets(GetOffsetsRequest request, ServerCallContext context);

    public abstract Task<GetEndOffsetsReply> GetEndOffsets(GetEndOffsetsRequest request, ServerCallContext context);
}
