using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Liiklus.Api.Operations;

/// <summary>The HTTP/1.1 port of metrics and health, as Kestrel bound it (a configured port 0 becomes a free one).</summary>
public sealed class OperationsEndpoint
{
    internal ListenOptions? Listen { get; set; }

    /// <summary>The bound port; the configured one before the server has started.</summary>
    public int Port => (Listen?.EndPoint as IPEndPoint)?.Port ?? 0;
}
