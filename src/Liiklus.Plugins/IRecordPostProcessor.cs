namespace Liiklus.Plugins;

/// <summary>
/// Sees every record on its way to a Receive call, as Liiklus's <c>RecordPostProcessor</c>: answers the envelope to
/// deliver in its place (the same one to leave it as it is), or null to drop it; the stream goes on with the next
/// record. Post-processors run in the reverse of the configured order, so the first pre-processor is the last
/// post-processor, as layers wrap each other.
/// </summary>
/// <remarks>
/// It runs on the Receive call's own loop, once per record: it must be quick and must not block on I/O. One instance
/// serves every call concurrently. An exception ends that one Receive call with INTERNAL naming the processor (and is
/// logged); the gateway and every other call go on.
/// </remarks>
public interface IRecordPostProcessor
{
    /// <param name="record">the record as stored, or as the post-processor before this one answered it</param>
    /// <returns>what to deliver in its place (its <see cref="DeliveredRecord.Envelope"/> to leave it as it is), or null to drop it</returns>
    Envelope? PostProcess(DeliveredRecord record);
}
