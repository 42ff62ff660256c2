namespace Liiklus.Storage;

/// <summary>
/// The storage could not be reached or did not answer in time; the call may succeed later. Clients are told the
/// <see cref="Summary"/>; the message is the detail for the log (addresses, the store's own errors), never for them.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    public const string PositionsSummary = "positions storage unavailable";

    public const string RecordsSummary = "records storage unavailable";

    public const string ColdSummary = "cold storage unavailable";

    /// <param name="summary">what a client may read: which storage, nothing of its internals</param>
    /// <param name="detail">what the operator reads in the log</param>
    public StorageUnavailableException(string summary, string detail, Exception? inner = null)
        : base(detail, inner) =>
        Summary = summary;

    public string Summary { get; }

    public static StorageUnavailableException Positions(string detail, Exception? inner = null) => new(PositionsSummary, detail, inner);

    public static StorageUnavailableException Records(string detail, Exception? inner = null) => new(RecordsSummary, detail, inner);

    public static StorageUnavailableException Cold(string detail, Exception? inner = null) => new(ColdSummary, detail, inner);
}
