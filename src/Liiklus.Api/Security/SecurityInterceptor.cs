using Grpc.Core;
using Grpc.Core.Interceptors;
using Liiklus.Api.Security.Configuration;
using Liiklus.Api.Security.Jwt;
using Liiklus.Api.Security.Scopes;

namespace Liiklus.Api.Security;

/// <summary>
/// Authenticates every Liiklus call by its bearer token and, with <c>grpc_auth_requireScopes</c>, checks the rights
/// the request needs against the token's scopes before the service sees it. Refusals are UNAUTHENTICATED (saying
/// what is wrong with the token) or PERMISSION_DENIED (naming the missing right), and are logged at information
/// with the method, and the subject and missing right where known; never the token.
/// </summary>
public sealed class SecurityInterceptor(JwtAuthenticator authenticator, JwtSettings settings, ILogger<SecurityInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(request, context);
        return await continuation(request, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(request, context);
        await continuation(request, responseStream, context);
    }

    // The protocol has no client-streaming or duplex call; should one appear, it is not served unchecked.
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(null, context);
        return await continuation(requestStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(null, context);
        await continuation(requestStream, responseStream, context);
    }

    private async ValueTask AuthorizeAsync(object? request, ServerCallContext context)
    {
        AuthenticatedCaller caller;
        try
        {
            caller = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue(JwtAuthenticator.HeaderName));
        }
        catch (AuthenticationFailure failure)
        {
            logger.LogInformation("Refused {Method} from {Peer}: {Reason}", MethodName(context), context.Peer, failure.Message);
            throw new RpcException(new Status(StatusCode.Unauthenticated, failure.Message));
        }

        CallerSubject.Remember(context, caller.Subject);
        if (!settings.RequireScopes)
        {
            return;
        }

        var rights = request is null ? null : RequestRights.Of(request);
        var missing = rights is null ? null : caller.Scopes.FirstMissing(rights);
        if (rights is null)
        {
            logger.LogInformation("Refused {Method} for subject {Subject}: no right is defined for it", MethodName(context), caller.Subject);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{MethodName(context)} is not open to scoped tokens"));
        }

        if (missing is not null)
        {
            logger.LogInformation("Refused {Method} for subject {Subject}: missing right {Right}", MethodName(context), caller.Subject, missing);
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"the token's scope lacks {missing}"));
        }

        // A listing answers only what the token may read.
        CallerScopes.Remember(context, caller.Scopes);
    }

    private static string MethodName(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
