namespace Liiklus.Plugins;

/// <summary>
/// Sees every published record before it is stored, as Liiklus's <c>RecordPreProcessor</c>: answers the record to
/// pass on (the same envelope, or a changed one), or refuses the publish with a status. Pre-processors run one after
/// another in their configured order; each gets what the one before answered.
/// </summary>
/// <remarks>
/// One instance serves every call concurrently. An exception refuses that one publish with INTERNAL naming the
/// processor (and is logged); use <see cref="PreProcessResult.Refuse"/> for a refusal the client should act on.
/// </remarks>
public interface IRecordPreProcessor
{
    /// <param name="envelope">the record as published, or as the pre-processor before this one answered it</param>
    /// <param name="cancellationToken">cancelled when the client gives up or the gateway stops</param>
    /// <returns><see cref="PreProcessResult.Accept"/> with the record to pass on, or <see cref="PreProcessResult.Refuse"/></returns>
    ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken);
}
