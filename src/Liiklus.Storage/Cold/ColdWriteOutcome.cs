namespace Liiklus.Storage.Cold;

public enum ColdWriteOutcome
{
    /// <summary>The range is now in the store, written by this call.</summary>
    Written,

    /// <summary>The same range was already there (a retried or duplicated upload): nothing was added.</summary>
    AlreadyArchived,

    /// <summary>
    /// Nothing was written: another range overlaps this one (another archiver wrote it first), or the range does
    /// not start at the archived next offset and would leave a hole. Resume from
    /// <see cref="ColdWriteResult.ArchivedNext"/>.
    /// </summary>
    Conflict,
}
