using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Liiklus.Protocol.Admin;

namespace Liiklus.Api.Admin;

/// <summary>
/// The admin service's methods, bound by <see cref="LiiklusAdminServiceBinding"/> instead of the generated binding
/// (grpc-dotnet binds the overrides of the class that names the binding).
/// </summary>
[BindServiceMethod(typeof(LiiklusAdminServiceBinding), nameof(LiiklusAdminServiceBinding.BindService))]
public abstract class LiiklusAdminServiceContract
{
    public abstract Task<ListTopicsReply> ListTopics(ListTopicsRequest request, ServerCallContext context);

    public abstract Task<DescribeTopicReply> DescribeTopic(DescribeTopicRequest request, ServerCallContext context);

    public abstract Task<ListGroupsReply> ListGroups(ListGroupsRequest request, ServerCallContext context);

    public abstract Task<DescribeGroupReply> DescribeGroup(DescribeGroupRequest request, ServerCallContext context);

    public abstract Task WatchGroup(WatchGroupRequest request, IServerStreamWriter<DescribeGroupReply> responseStream, ServerCallContext context);

    public abstract Task Browse(BrowseRequest request, IServerStreamWriter<BrowsedRecord> responseStream, ServerCallContext context);

    public abstract Task<ResetPositionsReply> ResetPositions(ResetPositionsRequest request, ServerCallContext context);

    public abstract Task<DeleteGroupReply> DeleteGroup(DeleteGroupRequest request, ServerCallContext context);

    public abstract Task<DescribeClusterReply> DescribeCluster(DescribeClusterRequest request, ServerCallContext context);
    public abstract Task<ColdStatusReply> ColdStatus(ColdStatusRequest request, ServerCallContext context);
}
