using Akka.Actor;
using Akka.Hosting;
using Liiklus.Storage;
using Liiklus.Storage.Positions;

namespace Liiklus.Actors.Groups;

/// <summary>
/// Changes a group's positions through its coordinator, wherever in the cluster it runs: acks, resets and deletions are
/// ordered there, so a reset can fence off the acks made before it (see <see cref="GroupCoordinator"/>).
/// </summary>
public sealed class GroupPositions(IRequiredActor<GroupCoordinatorRegion> region)
{
    // Past the storages' own deadlines: the coordinator answers a storage that does not with a refusal of its own.
    private static readonly TimeSpan AckAnswer = TimeSpan.FromSeconds(30);

    // A reset waits for the acks being written, then reads and writes the positions.
    private static readonly TimeSpan ChangeAnswer = TimeSpan.FromSeconds(60);

    /// <param name="sessionId">the session a legacy ack names; null for a stateless ack</param>
    /// <exception cref="AckFencedException">a reset of the partition came after what the ack acknowledges</exception>
    /// <exception cref="StorageUnavailableException">a storage is down</exception>
    /// <exception cref="PositionOutOfRangeException">the positions storage cannot hold the position</exception>
    /// <exception cref="CoordinatorUnavailableException">the group's coordinator did not answer in time</exception>
    public async Task AckAsync(string topic, GroupId group, int partition, long offset, string? sessionId, CancellationToken cancellationToken)
    {
        var answer = await AskAsync(new AckPosition(topic, group.Name, group.Version, partition, offset, sessionId), AckAnswer, cancellationToken)
            .ConfigureAwait(false);
        switch (answer)
        {
            case AckStored:
                return;
            case AckRefused { Reason: AckRefusal.OutOfRange } refused:
                throw new PositionOutOfRangeException(refused.Field ?? "offset", refused.Detail);
            case AckRefused { Reason: AckRefusal.StorageUnavailable } refused:
                throw StorageUnavailableException.Positions(refused.Detail);
            case AckRefused refused:
                throw new AckFencedException(refused.Detail);
            default:
                throw Unexpected(answer);
        }
    }

    /// <summary>An executed reset: the moves made, in the targets' order.</summary>
    /// <param name="requester">who asked (the token's subject), for the log</param>
    public async Task<IReadOnlyList<PartitionMove>> ResetAsync(
        string topic,
        GroupId group,
        IReadOnlyList<PartitionTarget> targets,
        string requester,
        CancellationToken cancellationToken)
    {
        var answer = await AskAsync(new ResetGroupPositions(topic, group.Name, group.Version, targets, requester), ChangeAnswer, cancellationToken)
            .ConfigureAwait(false);
        return answer switch
        {
            GroupPositionsReset reset => reset.Moves,
            GroupResetFailed failed => throw StorageUnavailableException.Positions(failed.Reason),
            _ => throw Unexpected(answer),
        };
    }

    /// <summary>Deletes one version's positions, or every version's when <paramref name="version"/> is null.</summary>
    /// <returns>the versions deleted, lowest first; or the refusal</returns>
    public async Task<(IReadOnlyList<uint> Deleted, GroupDeletionRefused? Refused)> DeleteAsync(
        string topic,
        string groupName,
        uint? version,
        CancellationToken cancellationToken)
    {
        var answer = await AskAsync(new DeleteGroupPositions(topic, groupName, version), ChangeAnswer, cancellationToken).ConfigureAwait(false);
        return answer switch
        {
            GroupPositionsDeleted deleted => (deleted.Versions, null),
            GroupDeletionRefused { Reason: GroupDeletionRefusal.StorageUnavailable } refused => throw StorageUnavailableException.Positions(refused.Detail),
            GroupDeletionRefused refused => ([], refused),
            _ => throw Unexpected(answer),
        };
    }

    private async Task<object> AskAsync(IGroupCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        object answer;
        try
        {
            answer = await region.ActorRef.Ask<object>(command, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new CoordinatorUnavailableException(
                $"the coordinator of group '{command.GroupName}' of topic '{command.Topic}' did not answer within {timeout}");
        }

        return answer is GroupUnavailable unavailable
            ? throw StorageUnavailableException.Records($"group '{command.GroupName}' of topic '{command.Topic}' is unavailable: {unavailable.Reason}")
            : answer;
    }

    private static InvalidOperationException Unexpected(object answer) => new($"the group coordinator answered {answer.GetType().Name}");
}
