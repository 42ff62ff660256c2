using System.CommandLine;
using System.CommandLine.Help;
using System.Text;
using Grpc.Core;
using Liiklus.Cli.Commands;

namespace Liiklus.Cli;

/// <summary>The <c>liiklus</c> command line: parses, runs one verb and answers its exit code (<see cref="ExitCodes"/>).</summary>
public static class LiiklusCli
{
    /// <summary>Runs the command line <paramref name="args"/>.</summary>
    /// <param name="args">the arguments, without the program's name</param>
    /// <param name="console">standard input, output and error</param>
    /// <param name="environment">reads an environment variable (<c>LIIKLUS_SERVER</c>, <c>LIIKLUS_TOKEN</c>)</param>
    /// <param name="cancellationToken">stops a verb as Ctrl+C does: consume and tail end, acknowledging what they printed</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole console, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var context = new CliContext(console, environment);
        var root = new RootCommand("The Liiklus command line: publish, consume and tail topics, inspect and move consumer groups.");
        context.AddGlobalOptions(root);
        root.Subcommands.Add(PublishCommand.Create(context));
        root.Subcommands.Add(ConsumeCommand.Create(context));
        root.Subcommands.Add(TailCommand.Create(context));
        root.Subcommands.Add(TopicsCommand.Create(context));
        root.Subcommands.Add(ColdCommand.Create(context));
        root.Subcommands.Add(GroupsCommand.Create(context));
        root.Subcommands.Add(DltCommand.Create(context));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var error in parsed.Errors)
            {
                await console.Error.WriteLineAsync($"liiklus: {error.Message}");
            }

            await console.Error.WriteLineAsync($"Run '{CommandPath(parsed.CommandResult.Command)} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                // Ctrl+C stops consume gracefully: its last acknowledgements may take the consumer's FinalAckTimeout.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
            };
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (UsageException e)
        {
            await console.Error.WriteLineAsync($"liiklus: {e.Message}");
            await console.Error.WriteLineAsync($"Run '{CommandPath(parsed.CommandResult.Command)} --help' for usage.");
            return ExitCodes.Usage;
        }
        catch (RpcException e)
        {
            // A call that failed on this side (no connection, a TLS handshake refused) says why in its innermost exception.
            var cause = e.Status.DebugException is { } debug ? $" ({Innermost(debug).Message})" : "";
            await console.Error.WriteLineAsync($"liiklus: {StatusName(e.StatusCode)}: {e.Status.Detail}{cause}");
            return ExitCodes.CallFailed;
        }
        finally
        {
            await console.Out.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>A status code as gRPC names it (<c>NOT_FOUND</c>), as other gRPC tools print it.</summary>
    internal static string StatusName(StatusCode code)
    {
        if (code == StatusCode.OK)
        {
            return "OK";
        }

        var name = code.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (var current = command; current is not null; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(current is RootCommand ? "liiklus" : current.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
