using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Liiklus.Storage.Positions.Postgres;
using Npgsql;
using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// A real PostgreSQL server (Debian's <c>postgresql</c> package) for the tests of one class: a fresh cluster in a
/// temporary directory, listening on a free loopback port, removed at the end. <see cref="StopAsync"/> and
/// <see cref="StartAsync"/> take it down and bring it back on the same port with its data.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root; as root the cluster belongs to the <c>postgres</c> user the package
/// creates: <c>initdb</c> runs through <c>runuser</c>, and the server through <c>setpriv</c>, which becomes that
/// user without a process in between, so the process started here is the postmaster itself.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string InstallHint = "test.sh installs it: apt-get install postgresql";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly bool AsRoot = Environment.UserName == "root";

    private readonly string _directory = Directory.CreateTempSubdirectory("liiklus-postgres-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly IReadOnlyDictionary<string, string> _settings;
    private Process? _process;

    public PostgresServer()
        : this(new Dictionary<string, string>
        {
            // Nothing here must survive a power cut; the tests run faster without waiting for the disk.
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
        })
    {
    }

    /// <param name="settings">server settings (<c>-c name=value</c>) on top of the defaults</param>
    internal PostgresServer(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public int Port { get; } = GatewayProcess.FreePort();

    /// <summary>Whether the server started here is running (not stopped).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A superuser's connection string to the server's <c>postgres</c> database; no password (trust).</summary>
    public string ConnectionString => ConnectionStringTo("postgres");

    public string ConnectionStringTo(string database) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Timeout=5";

    /// <summary>Options of a storage that uses this server.</summary>
    public PostgresPositionsOptions Options => new() { ConnectionString = ConnectionString };

    /// <summary>HOCON that puts a test gateway's positions on this server.</summary>
    public string GatewayHocon => $"""
        liiklus.storage.positions.type = POSTGRES
        liiklus.storage.postgres.connection-string = "{ConnectionString}"
        """;

    private string DataDirectory => Path.Combine(_directory, "data");

    public async Task InitializeAsync()
    {
        var binaries = Binaries();
        if (AsRoot)
        {
            await Command.RunAsync("chown", ["postgres:postgres", _directory], InstallHint);
        }

        await Command.RunAsync(
            AsRoot ? "runuser" : Path.Combine(binaries, "initdb"),
            [
                .. AsRoot ? new[] { "-u", "postgres", "--", Path.Combine(binaries, "initdb") } : [],
                "-D", DataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C",
            ],
            InstallHint);
        await StartAsync();
    }

    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"PostgreSQL is already running on port {Port}");
        }

        var postgres = Path.Combine(Binaries(), "postgres");
        var start = new ProcessStartInfo(AsRoot ? "setpriv" : postgres)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        IEnumerable<string> arguments =
        [
            .. AsRoot ? new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", postgres } : [],
            "-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-k", _directory,
            "-c", "listen_addresses=127.0.0.1",
            .. _settings.SelectMany(setting => new[] { "-c", $"{setting.Key}={setting.Value}" }),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"PostgreSQL could not be started ({InstallHint})", e);
        }

        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        var answered = await Eventually.Until(
            async () => process.HasExited ? "exited" : await TryQueryAsync("SHOW data_directory"),
            reply => reply is "exited" || reply == DataDirectory,
            $"PostgreSQL on port {Port} answering",
            Deadline);
        if (answered == "exited")
        {
            throw new InvalidOperationException(
                $"PostgreSQL on port {Port} exited with {process.ExitCode}: {string.Join('\n', _output)}");
        }
    }

    /// <summary>
    /// Takes the server down at once, as a crash would (immediate shutdown: connections drop, no checkpoint);
    /// its data is kept for <see cref="StartAsync"/>.
    /// </summary>
    public Task StopAsync() => SignalAsync("QUIT");

    /// <summary>A new empty database; answers its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var database = $"db_{Guid.NewGuid():N}";
        await QueryAsync($"CREATE DATABASE {database}");
        return database;
    }

    /// <summary>One SQL statement as a superuser; answers the first column of the first row, or "" when none.</summary>
    public async Task<string> QueryAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionStringTo(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    /// <summary>Every row of a query, each as its columns' text joined by '|'.</summary>
    public async Task<List<string>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringTo("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount)
                .Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public async Task DisposeAsync()
    {
        // A fast shutdown releases the server's shared memory; a killed postmaster would leave it behind.
        await SignalAsync("INT");
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        await Command.RunAsync("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)], "procps");
        using var timeout = new CancellationTokenSource(Deadline);
        await _process.WaitForExitAsync(timeout.Token);
    }

    private async Task<string> TryQueryAsync(string sql)
    {
        try
        {
            return await QueryAsync(sql);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return e.Message;
        }
    }

    /// <summary>The newest installed PostgreSQL's binaries, e.g. /usr/lib/postgresql/15/bin.</summary>
    private static string Binaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException($"no PostgreSQL server binaries under /usr/lib/postgresql ({InstallHint})")
            : throw new InvalidOperationException($"PostgreSQL server is not installed ({InstallHint})");

    private void Remember(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
