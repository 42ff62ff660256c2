using Grpc.Core;
using Liiklus.Api.Grpc;
using Liiklus.Protocol.Admin;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Liiklus.Api.Admin;

/// <summary>
/// Binds <see cref="LiiklusAdminServiceContract"/> to the admin service's methods with <see cref="CheckedMethods"/>'
/// request marshallers (INVALID_ARGUMENT for a message they cannot parse, not UNKNOWN).
/// </summary>
public static class LiiklusAdminServiceBinding
{
    // As protos/admin.proto names it; the descriptor would build the whole file's at start, which only reflection needs.
    internal const string ServiceName = "liiklus.admin.v1.LiiklusAdminService";

    private static readonly Method<ListTopicsRequest, ListTopicsReply> ListTopics =
        CheckedMethods.Unary(ServiceName, "ListTopics", ListTopicsRequest.Parser, ListTopicsReply.Parser);

    private static readonly Method<DescribeTopicRequest, DescribeTopicReply> DescribeTopic =
        CheckedMethods.Unary(ServiceName, "DescribeTopic", DescribeTopicRequest.Parser, DescribeTopicReply.Parser);

    private static readonly Method<ListGroupsRequest, ListGroupsReply> ListGroups =
        CheckedMethods.Unary(ServiceName, "ListGroups", ListGroupsRequest.Parser, ListGroupsReply.Parser);

    private static readonly Method<DescribeGroupRequest, DescribeGroupReply> DescribeGroup =
        CheckedMethods.Unary(ServiceName, "DescribeGroup", DescribeGroupRequest.Parser, DescribeGroupReply.Parser);

    private static readonly Method<WatchGroupRequest, DescribeGroupReply> WatchGroup =
        CheckedMethods.ServerStreaming(ServiceName, "WatchGroup", WatchGroupRequest.Parser, DescribeGroupReply.Parser);

    private static readonly Method<BrowseRequest, BrowsedRecord> Browse =
        CheckedMethods.ServerStreaming(ServiceName, "Browse", BrowseRequest.Parser, BrowsedRecord.Parser);

    private static readonly Method<ResetPositionsRequest, ResetPositionsReply> ResetPositions =
        CheckedMethods.Unary(ServiceName, "ResetPositions", ResetPositionsRequest.Parser, ResetPositionsReply.Parser);

    private static readonly Method<DeleteGroupRequest, DeleteGroupReply> DeleteGroup =
        CheckedMethods.Unary(ServiceName, "DeleteGroup", DeleteGroupRequest.Parser, DeleteGroupReply.Parser);

    private static readonly Method<DescribeClusterRequest, DescribeClusterReply> DescribeCluster =
        CheckedMethods.Unary(ServiceName, "DescribeCluster", DescribeClusterRequest.Parser, DescribeClusterReply.Parser);
    private static readonly Method<ColdStatusRequest, ColdStatusReply> ColdStatus =
        CheckedMethods.Unary(ServiceName, "ColdStatus", ColdStatusRequest.Parser, ColdStatusReply.Parser);

    /// <summary>The service's descriptor, for gRPC reflection.</summary>
    public static ServiceDescriptor Descriptor => LiiklusAdminService.Descriptor;

    /// <summary>Called by grpc-dotnet, which resolves the service per call and invokes its methods by name.</summary>
    public static void BindService(ServiceBinderBase binder, LiiklusAdminServiceContract? service)
    {
        binder.AddMethod(ListTopics, (UnaryServerMethod<ListTopicsRequest, ListTopicsReply>?)null);
        binder.AddMethod(DescribeTopic, (UnaryServerMethod<DescribeTopicRequest, DescribeTopicReply>?)null);
        binder.AddMethod(ListGroups, (UnaryServerMethod<ListGroupsRequest, ListGroupsReply>?)null);
        binder.AddMethod(DescribeGroup, (UnaryServerMethod<DescribeGroupRequest, DescribeGroupReply>?)null);
        binder.AddMethod(WatchGroup, (ServerStreamingServerMethod<WatchGroupRequest, DescribeGroupReply>?)null);
        binder.AddMethod(Browse, (ServerStreamingServerMethod<BrowseRequest, BrowsedRecord>?)null);
        binder.AddMethod(ResetPositions, (UnaryServerMethod<ResetPositionsRequest, ResetPositionsReply>?)null);
        binder.AddMethod(DeleteGroup, (UnaryServerMethod<DeleteGroupRequest, DeleteGroupReply>?)null);
        binder.AddMethod(DescribeCluster, (UnaryServerMethod<DescribeClusterRequest, DescribeClusterReply>?)null);
        binder.AddMethod(ColdStatus, (UnaryServerMethod<ColdStatusRequest, ColdStatusReply>?)null);
    }
}
