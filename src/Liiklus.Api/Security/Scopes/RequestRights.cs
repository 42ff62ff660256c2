using Liiklus.Api.Grpc;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;

namespace Liiklus.Api.Security.Scopes;

/// <summary>
/// The one place that reads a request for its topic and group, to say which rights the call needs. It goes through
/// <see cref="RequestMapping"/>, so a bad request fails as it would without scopes (INVALID_ARGUMENT, NOT_FOUND)
/// and names are compared as the gateway will use them. A Receive or a legacy Ack by session id needs the rights of
/// the session's topic and group: the id is self-describing, so a forged or borrowed one grants nothing the
/// caller's token does not.
/// </summary>
public static class RequestRights
{
    /// <summary>The rights <paramref name="request"/> needs; null for a request this gateway does not know.</summary>
    public static IReadOnlyList<Right>? Of(object request)
    {
        switch (request)
        {
            case PublishRequest publish:
                // The topic alone: validating a publish would copy the record, and the service validates it next.
                return [Right.Publish(publish.Topic)];
            case SubscribeRequest subscribe:
            {
                var (topic, group, _) = RequestMapping.Subscribe(subscribe);
                return [Right.Consume(topic), Right.Group(group.Name)];
            }

            case ReceiveRequest receive:
            {
                var (session, _, _, _) = RequestMapping.Receive(receive);
                return [Right.Consume(session.Topic), Right.Group(session.Group.Name)];
            }

            case AckRequest ack:
            {
                var (topic, group, _, _, _) = RequestMapping.Ack(ack);
                return [Right.Consume(topic), Right.Group(group.Name)];
            }

            case GetOffsetsRequest getOffsets:
            {
                var (topic, group) = RequestMapping.GetOffsets(getOffsets);
                return [Right.Consume(topic), Right.Group(group.Name)];
            }

            case GetEndOffsetsRequest getEndOffsets:
                return [Right.Consume(RequestMapping.GetEndOffsets(getEndOffsets))];

            // The admin API's reads need what reading the same topic and group through the Liiklus service needs;
            // a listing of every topic needs nothing and answers what the token may read (CallerScopes).
            case ListTopicsRequest:
                return [];
            // The cluster's members need no right; its groups are listed as ListGroups lists them (CallerScopes).
            case DescribeClusterRequest:
                return [];
            case DescribeTopicRequest describeTopic:
                return [Right.Consume(RequestMapping.DescribeTopic(describeTopic))];
            case ListGroupsRequest listGroups:
                return RequestMapping.ListGroups(listGroups) is { } groupsTopic ? [Right.Consume(groupsTopic)] : [];
            case DescribeGroupRequest describeGroup:
            {
                var (topic, group) = RequestMapping.DescribeGroup(describeGroup);
                return [Right.Consume(topic), Right.Group(group.Name)];
            }

            case WatchGroupRequest watchGroup:
            {
                var (topic, group, _) = RequestMapping.WatchGroup(watchGroup);
                return [Right.Consume(topic), Right.Group(group.Name)];
            }

            // Cold status of one topic needs what reading it needs; of every archived topic, nothing (CallerScopes).
            case ColdStatusRequest coldStatus:
                return coldStatus.Topic.Length == 0 ? [] : [Right.Consume(RequestMapping.DescribeTopic(new DescribeTopicRequest { Topic = coldStatus.Topic }))];

            // A browse reads records as a consumer would, without a group.
            case BrowseRequest browse:
                return [Right.Consume(RequestMapping.Browse(browse).Topic)];

            // Changing a topic's positions needs its admin scope (and the group name, when group scopes restrict).
            case ResetPositionsRequest reset:
            {
                var (topic, group) = RequestMapping.ResetGroup(reset);
                return [Right.Admin(topic), Right.Group(group.Name)];
            }

            case DeleteGroupRequest delete:
            {
                var (topic, groupName, _) = RequestMapping.DeleteGroup(delete);
                return [Right.Admin(topic), Right.Group(groupName)];
            }

            default:
                return null;
        }
    }
}
