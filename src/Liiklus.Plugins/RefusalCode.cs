namespace Liiklus.Plugins;

/// <summary>The gRPC statuses a pre-processor may refuse a publish with (the numbers are gRPC's).</summary>
public enum RefusalCode
{
    /// <summary>The record itself is wrong (e.g. it does not match its schema); sending it again will not help.</summary>
    InvalidArgument = 3,

    /// <summary>The publisher may not publish this record.</summary>
    PermissionDenied = 7,

    /// <summary>A quota or size limit is exceeded.</summary>
    ResourceExhausted = 8,

    /// <summary>The system is not in a state to take this record (e.g. a dependency's data is missing).</summary>
    FailedPrecondition = 9,

    /// <summary>Something the processor needs is down; the publish may succeed later.</summary>
    Unavailable = 14,
}
