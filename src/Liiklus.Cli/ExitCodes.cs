namespace Liiklus.Cli;

/// <summary>The command line's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The gateway refused a call or could not be reached; the gRPC status and message are on standard error.</summary>
    public const int CallFailed = 1;

    /// <summary>The command line was wrong; what and the usage hint are on standard error.</summary>
    public const int Usage = 2;
}
