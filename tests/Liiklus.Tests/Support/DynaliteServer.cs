using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Liiklus.Storage.Positions.DynamoDb;
using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// dynalite (npm), a DynamoDB implementation, for the tests of one class: a free loopback port, its data in a
/// temporary directory so that <see cref="KillAsync"/> and <see cref="StartAsync"/> take it down and bring it back
/// with its tables. Tables are created at once (no CREATING phase).
/// </summary>
public sealed class DynaliteServer : IAsyncLifetime
{
    private const string InstallHint = "test.sh installs it: npm install -g dynalite@4.0.0";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("liiklus-dynalite-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Lazy<AmazonDynamoDBClient> _client;
    private readonly bool _logRequests;
    private Process? _process;

    static DynaliteServer()
    {
        // The gateway reads credentials and region through the AWS SDK's default chain, as it does in production;
        // dynalite accepts any. Without them the chain would wait for an EC2 metadata service that is not there.
        foreach (var (name, value) in new[] { ("AWS_ACCESS_KEY_ID", "dynalite"), ("AWS_SECRET_ACCESS_KEY", "dynalite"), ("AWS_REGION", "us-east-1") })
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    public DynaliteServer()
        : this(logRequests: false)
    {
    }

    /// <param name="logRequests">dynalite's debug log: every request it receives, for <see cref="RequestsAsync"/></param>
    internal DynaliteServer(bool logRequests)
    {
        _logRequests = logRequests;
        _client = new Lazy<AmazonDynamoDBClient>(() => new AmazonDynamoDBClient(
            new BasicAWSCredentials("dynalite", "dynalite"),
            new AmazonDynamoDBConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" }));
    }

    public int Port { get; } = GatewayProcess.FreePort();

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Whether the server started here is running (not killed).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A plain DynamoDB client of this server, to read and write items as another program would.</summary>
    public IAmazonDynamoDB Client => _client.Value;

    /// <summary>Options of a storage on this server whose table is created on first use.</summary>
    public DynamoDbPositionsOptions Options(string table) => new() { Endpoint = Endpoint, PositionsTable = table, AutoCreateTable = true };

    /// <summary>HOCON that puts a test gateway's positions on this server, in <paramref name="table"/>.</summary>
    public string GatewayHocon(string table) => $$"""
        liiklus.storage.positions.type = DYNAMODB
        liiklus.storage.dynamodb {
          endpoint = "{{Endpoint}}"
          positions-table = "{{table}}"
          auto-create-table = true
        }
        """;

    public static string NewTable() => $"positions-{Guid.NewGuid():N}";

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"dynalite is already running on port {Port}");
        }

        var start = new ProcessStartInfo("dynalite")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--path", _directory,
                     "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
                 }.Concat(_logRequests ? ["--debug"] : []))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("dynalite did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"dynalite is not installed ({InstallHint})", e);
        }

        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        var answered = await Eventually.Until(
            async () => process.HasExited ? "exited" : await TryListTablesAsync(),
            reply => reply is "answered" or "exited",
            $"dynalite on port {Port} answering ListTables",
            Deadline);
        if (answered == "exited")
        {
            throw new InvalidOperationException($"dynalite on port {Port} exited with {process.ExitCode}: {string.Join('\n', _output)}");
        }
    }

    /// <summary>
    /// The requests dynalite received while <paramref name="action"/> ran, by operation (UpdateItem, GetItem, ...),
    /// read from its own debug log. Needs a server started with <c>logRequests</c>.
    /// </summary>
    public async Task<Dictionary<string, int>> RequestsAsync(Func<Task> action)
    {
        if (!_logRequests)
        {
            throw new InvalidOperationException("dynalite was started without its request log");
        }

        _output.Clear();
        await action();
        // The log is read as dynalite writes it: once a request sent last shows, every earlier one has too.
        var sentinel = $"sentinel-{Guid.NewGuid():N}";
        await Client.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = sentinel });
        await Eventually.Until(
            () => Task.FromResult(_output.Any(line => line.Contains(sentinel, StringComparison.Ordinal))),
            logged => logged,
            "dynalite logging the last request");
        const string target = "'x-amz-target': 'DynamoDB_20120810.";
        var requests = _output
            .Where(line => line.Contains(target, StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(target, StringComparison.Ordinal) + target.Length)..].TrimEnd(',', '\'', ' '))
            .GroupBy(operation => operation)
            .ToDictionary(operations => operations.Key, operations => operations.Count());
        // Not the sentinel's own ListTables.
        if (--requests["ListTables"] == 0)
        {
            requests.Remove("ListTables");
        }

        return requests;
    }

    /// <summary>Kills the server as a crash would: connections drop; what it stored stays in its directory.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _process.Kill();
        using var timeout = new CancellationTokenSource(Deadline);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }

        await KillAsync();
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> TryListTablesAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await Client.ListTablesAsync(new ListTablesRequest(), timeout.Token);
            return "answered";
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            return e.Message;
        }
    }

    private void Remember(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
