namespace Liiklus.Cli;

/// <summary>A command line that parsed but cannot be run as given: exit code 2, as a parse error.</summary>
public sealed class UsageException(string message) : Exception(message);
