namespace Liiklus.Storage.Records.Memory;

/// <summary>A stream at rest waiting for a <see cref="PartitionLog"/>'s next append; disposing it stops the wait.</summary>
internal sealed class AppendWait(PartitionLog log, Action wake) : IDisposable
{
    public void Dispose() => log.StopWaiting(wake);
}
