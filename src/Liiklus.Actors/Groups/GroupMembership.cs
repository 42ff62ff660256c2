using Akka.Actor;
using Akka.Hosting;
using Liiklus.Actors.Sessions;

namespace Liiklus.Actors.Groups;

/// <summary>
/// Asks a group's coordinator, wherever in the cluster it runs, which subscriptions it holds. A coordinator that is not
/// running is started by the question (and stops again after its idle timeout), so ask only about topics that exist:
/// a coordinator learns its topic's partitions first, which may create the topic.
/// </summary>
public sealed class GroupMembership(IRequiredActor<GroupCoordinatorRegion> region)
{
    /// <summary>
    /// The group's live sessions of every version, ordered by session id; null when the coordinator did not answer
    /// within <paramref name="timeout"/> or could not learn its topic's partitions.
    /// </summary>
    public async Task<IReadOnlyList<LiveSession>?> SessionsAsync(string topic, string groupName, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await StateAsync(topic, groupName, timeout, cancellationToken).ConfigureAwait(false))?.Sessions;

    /// <summary>
    /// The group's live sessions (as <see cref="SessionsAsync"/>) and when the coordinator last stored an ack of each
    /// version and partition; null when the coordinator did not answer in time.
    /// </summary>
    public async Task<(IReadOnlyList<LiveSession> Sessions, IReadOnlyList<LastAck> LastAcks)?> StateAsync(
        string topic,
        string groupName,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        object answer;
        try
        {
            answer = await region.ActorRef.Ask<object>(new GetGroupState(topic, groupName), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }

        if (answer is not GroupState state)
        {
            return null;
        }

        IReadOnlyList<LiveSession> sessions =
        [
            .. state.AssignmentsBySession
                .Select(session => new LiveSession(
                    session.Key,
                    SessionToken.TryDecode(session.Key, out var token) ? token.Group.Version : 0,
                    session.Value,
                    state.NodeBySession.GetValueOrDefault(session.Key),
                    state.ClientBySession.GetValueOrDefault(session.Key)))
                .OrderBy(session => session.SessionId, StringComparer.Ordinal),
        ];
        return (sessions, state.LastAcks ?? []);
    }
}
