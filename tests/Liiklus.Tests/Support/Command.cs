using System.ComponentModel;
using System.Diagnostics;

namespace Liiklus.Tests.Support;

/// <summary>Runs a program to its end and answers its output, or fails with what it printed.</summary>
public static class Command
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <param name="installHint">how to install <paramref name="program"/>, for the error when it is missing</param>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string installHint)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
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
            using var timeout = new CancellationTokenSource(Deadline);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0
                ? await output
                : throw new InvalidOperationException(
                    $"{program} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
