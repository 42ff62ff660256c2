namespace Liiklus.Cli;

/// <summary>Where the command line reads its input and writes its results and errors.</summary>
/// <param name="In">standard input (<c>publish -</c>)</param>
/// <param name="Out">results</param>
/// <param name="Error">errors and notes, never results</param>
public sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error)
{
    /// <summary>The process's own standard streams.</summary>
    public static CliConsole System => new(Console.In, Console.Out, Console.Error);
}
