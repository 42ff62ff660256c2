using System.ComponentModel;
using System.Diagnostics;

namespace Liiklus.Tests.Support;

/// <summary>Runs a program to its end, within a deadline.</summary>
public static class Command
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Answers the program's standard output, or fails with what it printed when it exits with an error.</summary>
    /// <param name="installHint">how to install <paramref name="program"/>, for the error when it is missing</param>
    /// <param name="deadline">60 s unless given (an image build takes minutes)</param>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string installHint, TimeSpan? deadline = null, string? workingDirectory = null)
    {
        var argumentList = arguments.ToList();
        var (exitCode, output, error) = await RunToEndAsync(program, argumentList, installHint, workingDirectory, deadline ?? Deadline);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{program} {string.Join(' ', argumentList)} exited with {exitCode}: {error}{output}");
    }

    /// <summary>Answers the program's exit code and all it printed, standard output first.</summary>
    public static async Task<(int ExitCode, string Output)> RunWhateverItsExitAsync(string program, IEnumerable<string> arguments, string installHint, string workingDirectory)
    {
        var (exitCode, output, error) = await RunToEndAsync(program, arguments, installHint, workingDirectory, Deadline);
        return (exitCode, output + error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(
        string program,
        IEnumerable<string> arguments,
        string installHint,
        string? workingDirectory,
        TimeSpan deadline)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{program} is not installed ({installHint})", e);
        }

        using (process)
        {
            using var timeout = new CancellationTokenSource(deadline);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
    }
}
