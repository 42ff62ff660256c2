using System.Text.Json;
using Liiklus.Cli;

namespace Liiklus.Tests.Cli;

/// <summary>
/// The command line run in this process through its entry point (<see cref="LiiklusCli.RunAsync"/>), with its
/// own standard streams and environment; what it printed is readable while it runs.
/// </summary>
public sealed class CliRun
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly TextWriter _syncOut;
    private readonly TextWriter _syncError;

    private CliRun(IReadOnlyList<string> args, string input, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        _syncOut = TextWriter.Synchronized(_out);
        _syncError = TextWriter.Synchronized(_error);
        var console = new CliConsole(new StringReader(input), _syncOut, _syncError);
        Exit = Task.Run(() => LiiklusCli.RunAsync(args, console, name => environment.GetValueOrDefault(name), cancellationToken), CancellationToken.None);
    }

    /// <summary>The exit code, once it ran to its end.</summary>
    public Task<int> Exit { get; }

    public string Out
    {
        get
        {
            lock (_syncOut)
            {
                return _out.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_syncError)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Each line of standard output parsed as a JSON document.</summary>
    public IReadOnlyList<JsonElement> Documents =>
        [.. Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>Starts the command line; it runs until it ends or <paramref name="cancellationToken"/> stops it as Ctrl+C would.</summary>
    public static CliRun Start(IReadOnlyList<string> args, string input = "", IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        new(args, input, environment ?? new Dictionary<string, string>(), cancellationToken);

    /// <summary>Runs the command line to its end, within a deadline.</summary>
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> args, string input = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = Start(args, input, environment);
        await run.Exit.WaitAsync(Deadline);
        return run;
    }

    public override string ToString() => $"exit {(Exit.IsCompletedSuccessfully ? Exit.Result : "-")}\nstdout:\n{Out}\nstderr:\n{Error}";
}
