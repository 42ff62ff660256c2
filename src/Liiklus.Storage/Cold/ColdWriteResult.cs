namespace Liiklus.Storage.Cold;

/// <param name="ArchivedNext">the partition's archived next offset after the call, as <see cref="IColdStore.GetArchivedNextAsync"/> answers it</param>
public sealed record ColdWriteResult(ColdWriteOutcome Outcome, long? ArchivedNext);
