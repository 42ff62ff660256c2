namespace Liiklus.Client;

/// <summary>Why a partition's position is acknowledged (the <c>reason</c> of <c>liiklus.client.ack.flushes</c>).</summary>
internal enum AckReason
{
    /// <summary>A batch of handled records, or records about to be handled at-most-once.</summary>
    Batch,

    /// <summary>Handled records waited <see cref="LiiklusConsumerOptions.AckInterval"/>.</summary>
    Interval,

    /// <summary>Ownership ended: revoked, replaced or stopping.</summary>
    Final,
}
