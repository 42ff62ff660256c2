using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Liiklus.Actors.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Newtonsoft.Json;

namespace Liiklus.Api.Hosting;

/// <summary>
/// The contact point Cluster Bootstrap probes (<c>GET /bootstrap/seed-nodes</c> on the management port): this node's
/// address and the reachable members of its cluster, in Akka.Management's own JSON (its types, its serializer), so
/// any Akka.Management node can read it. Served by Kestrel on the management port alone, and nothing else is
/// served there.
/// </summary>
internal static class ClusterContactPoint
{
    public const string Path = "/bootstrap/seed-nodes";

    public static void Listen(KestrelServerOptions kestrel, ClusterBootstrapSettings settings)
    {
        if (IPAddress.TryParse(settings.ManagementHostname, out var address))
        {
            kestrel.Listen(address, settings.ManagementPort, listen => listen.Protocols = HttpProtocols.Http1);
        }
        else
        {
            kestrel.ListenAnyIP(settings.ManagementPort, listen => listen.Protocols = HttpProtocols.Http1);
        }
    }

    public static void Serve(WebApplication app, ClusterBootstrapSettings settings)
    {
        app.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort != settings.ManagementPort)
            {
                await next(context);
                return;
            }

            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != Path)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(SeedNodes(context.RequestServices.GetRequiredService<ActorSystem>()), context.RequestAborted);
        });
    }

    /// <summary>A node on its way out offers no seed nodes: a newcomer must not join through it.</summary>
    private static string SeedNodes(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var self = cluster.SelfMember;
        if (self.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed)
        {
            return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.Address, ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty));
        }

        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.Address, members));
    }
}
