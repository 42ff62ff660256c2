using Grpc.Core;

namespace Liiklus.Api.Security.Scopes;

/// <summary>
/// The scopes of a call's token, kept on the call by <see cref="SecurityInterceptor"/> when scopes are required, for
/// the calls that answer only what their caller may read (listings of every topic or group).
/// </summary>
public static class CallerScopes
{
    private static readonly object Key = new();

    internal static void Remember(ServerCallContext context, TokenScopes scopes) => context.UserState[Key] = scopes;

    /// <summary>
    /// Whether the caller may read <paramref name="topic"/> (<c>liiklus:consume:</c>) and, when given, the group
    /// name (<c>liiklus:group:</c>), as a call naming them would need; always when scopes are not required.
    /// </summary>
    public static bool MayRead(ServerCallContext context, string topic, string? groupName = null) =>
        !context.UserState.TryGetValue(Key, out var kept)
        || kept is not TokenScopes scopes
        || (scopes.Grants(Right.Consume(topic)) && (groupName is null || scopes.Grants(Right.Group(groupName))));
}
