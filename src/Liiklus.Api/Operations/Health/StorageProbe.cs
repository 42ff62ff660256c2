namespace Liiklus.Api.Operations.Health;

/// <summary>What /health/ready found out about one storage.</summary>
/// <param name="Role">records or positions</param>
/// <param name="Storage">the storage's kind, e.g. redis</param>
/// <param name="Error">why it cannot be reached; null when it answered</param>
public sealed record StorageProbe(string Role, string Storage, string? Error)
{
    public bool Reachable => Error is null;
}
