using System.Net;

namespace Liiklus.Api.Configuration;

/// <summary>The gRPC port and its HTTP/2 limits.</summary>
/// <param name="MaxConcurrentStreams">calls one client connection may carry at once</param>
/// <param name="InitialStreamWindowBytes">request bytes a client may send on one call before the gateway reads them</param>
/// <param name="InitialConnectionWindowBytes">the same for all calls of one connection together</param>
/// <param name="KeepAlivePingDelay">idle time after which the gateway pings a connection to find dead clients; null: never</param>
/// <param name="KeepAlivePingTimeout">how long a ping may go unanswered before the connection is closed</param>
public sealed record GrpcSettings(
    IPAddress Address,
    int Port,
    int MaxConcurrentStreams,
    int InitialStreamWindowBytes,
    int InitialConnectionWindowBytes,
    TimeSpan? KeepAlivePingDelay,
    TimeSpan KeepAlivePingTimeout);
