using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Liiklus.Storage.Positions.Redis;
using StackExchange.Redis;
using Xunit;

namespace Liiklus.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> for the tests of one class: a free loopback port, no persistence files, stopped at
/// the end. <see cref="KillAsync"/> and <see cref="StartAsync"/> take it down and bring it back on the same port.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("liiklus-redis-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Lazy<ConnectionMultiplexer> _connection;
    private Process? _process;

    public RedisServer() => _connection = new Lazy<ConnectionMultiplexer>(() => RedisConnection.Connect(Options));

    public int Port { get; } = GatewayProcess.FreePort();

    /// <summary>Options of a storage that uses this server.</summary>
    public RedisPositionsOptions Options => new() { Host = "127.0.0.1", Port = Port };

    /// <summary>HOCON that puts a test gateway's positions on this server.</summary>
    public string GatewayHocon => $"""
        liiklus.storage.positions.type = REDIS
        liiklus.storage.redis.host = "127.0.0.1"
        liiklus.storage.redis.port = {Port}
        """;

    /// <summary>One connection shared by the class's tests, as a node shares one.</summary>
    public IConnectionMultiplexer Connection => _connection.Value;

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"redis-server is already running on port {Port}");
        }

        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--loglevel", "warning",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed (test.sh installs it: apt-get install redis-server)", e);
        }

        _process.OutputDataReceived += (_, line) => Remember(line.Data);
        _process.ErrorDataReceived += (_, line) => Remember(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var process = _process;
        var answered = await Eventually.Until(
            async () => process.HasExited ? "exited" : await TryCliAsync("PING"),
            reply => reply is "PONG" or "exited",
            $"redis-server on port {Port} answering PING",
            Deadline);
        if (answered == "exited")
        {
            throw new InvalidOperationException(
                $"redis-server on port {Port} exited with {process.ExitCode}: {string.Join('\n', _output)}");
        }

        // The port was free when picked, not reserved: make sure the server answering is the one started here.
        var processId = (await CliAsync("INFO", "server")).Split('\n')
            .Select(line => line.Trim())
            .Single(line => line.StartsWith("process_id:", StringComparison.Ordinal))["process_id:".Length..];
        if (processId != process.Id.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"port {Port} is served by another redis-server (pid {processId})");
        }
    }

    /// <summary>Kills the server as a crash would: no shutdown, connections drop.</summary>
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

    /// <summary>A plain redis-cli command against this server; answers its output, one reply element a line.</summary>
    public async Task<string> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture) }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var cli = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        using var timeout = new CancellationTokenSource(Deadline);
        var output = cli.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = cli.StandardError.ReadToEndAsync(timeout.Token);
        await cli.WaitForExitAsync(timeout.Token);
        return cli.ExitCode == 0
            ? (await output).TrimEnd('\n')
            : throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} failed: {await error}{await output}");
    }

    public async Task DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await _connection.Value.DisposeAsync();
        }

        await KillAsync();
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>"PONG" while the server answers; otherwise what went wrong.</summary>
    public Task<string> TryPingAsync() => TryCliAsync("PING");

    private async Task<string> TryCliAsync(params string[] arguments)
    {
        try
        {
            return await CliAsync(arguments);
        }
        catch (InvalidOperationException e)
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
