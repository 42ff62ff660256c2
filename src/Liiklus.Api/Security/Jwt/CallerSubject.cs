using Grpc.Core;

namespace Liiklus.Api.Security.Jwt;

/// <summary>
/// Who a call's token speaks for (its <c>sub</c>), kept on the call by <see cref="SecurityInterceptor"/> when the
/// gateway authenticates, for the log lines of calls that change something (an executed position reset).
/// </summary>
public static class CallerSubject
{
    public const string Anonymous = "anonymous";

    private static readonly object Key = new();

    internal static void Remember(ServerCallContext context, string subject) => context.UserState[Key] = subject;

    /// <summary>The token's subject; <see cref="Anonymous"/> when the gateway does not authenticate or the token has none.</summary>
    public static string Of(ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var kept) && kept is string { Length: > 0 } subject ? subject : Anonymous;
}
