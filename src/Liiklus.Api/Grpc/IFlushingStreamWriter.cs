namespace Liiklus.Api.Grpc;

/// <summary>
/// A response stream that may hold hinted writes back from the response body: the call's own flushes go through it,
/// or they would send the body without them.
/// </summary>
public interface IFlushingStreamWriter
{
    /// <summary>Sends what hinted writes left.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
