using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Protocol;

namespace Liiklus.Tests.Support;

/// <summary>
/// The gateway as its own process: the program the README's run command starts (<c>dotnet run</c> runs this
/// same app host as a child), configured only through Liiklus's environment variables.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOutPorts = new();

    private readonly Process _process;
    private readonly GrpcChannel _channel;
    private readonly StringWriter _log = new();

    private GatewayProcess(Process process, int grpcPort, int remotePort, int operationsPort)
    {
        OperationsPort = operationsPort;
        _process = process;
        GrpcPort = grpcPort;
        RemotePort = remotePort;
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Client = new LiiklusService.LiiklusServiceClient(_channel);
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int GrpcPort { get; }

    public int RemotePort { get; }

    /// <summary>server_port: /health, /health/ready and /metrics.</summary>
    public int OperationsPort { get; }

    public string ClusterAddress => $"akka.tcp://liiklus@127.0.0.1:{RemotePort}";

    public LiiklusService.LiiklusServiceClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The gateway's process id, to read its memory and threads from /proc.</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the gateway logged so far, for a failing test's message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="environment">Liiklus's variables; ports are chosen here</param>
    /// <param name="seedNodes">cluster seed addresses, or null for a node of its own</param>
    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string> environment, int remotePort, string? seedNodes)
    {
        var gateway = Launch(environment, remotePort, seedNodes);
        await gateway.WaitUntilServingAsync();
        return gateway;
    }

    /// <summary>Starts the gateway without waiting for it to serve, for a node that may be refused on its way.</summary>
    public static GatewayProcess Launch(IReadOnlyDictionary<string, string> environment, int remotePort, string? seedNodes) =>
        Launch(Path.Combine(AppContext.BaseDirectory, "Liiklus.Api"), environment, remotePort, seedNodes);

    /// <summary>Starts another build of the gateway, e.g. a <c>dotnet publish</c> output, without waiting for it to serve.</summary>
    /// <param name="program">the gateway's app host (Liiklus.Api), run in its own folder</param>
    public static GatewayProcess Launch(string program, IReadOnlyDictionary<string, string> environment, int remotePort, string? seedNodes) =>
        Launch(new ProcessStartInfo(program) { WorkingDirectory = Path.GetDirectoryName(program) }, environment, remotePort, seedNodes);

    /// <summary>
    /// <paramref name="count"/> nodes forming one cluster: the first is the seed of the others, which start side by side.
    /// The caller disposes them.
    /// </summary>
    public static async Task<GatewayProcess[]> StartClusterAsync(IReadOnlyDictionary<string, string> environment, int count)
    {
        var seedPort = FreePort();
        var seed = $"akka.tcp://liiklus@127.0.0.1:{seedPort}";
        var first = await StartAsync(environment, seedPort, seed);
        try
        {
            var others = await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => StartAsync(environment, FreePort(), seed)));
            return [first, .. others];
        }
        catch
        {
            await first.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The README's run command exactly (<c>dotnet run -c Release --project src/Liiklus.Api</c>, without building again),
    /// typed in <paramref name="workingDirectory"/>.
    /// </summary>
    public static async Task<GatewayProcess> StartWithDotnetRunAsync(IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        foreach (var argument in new[] { "run", "-c", "Release", "--no-build", "--project", Path.Combine(RepositoryRoot(), "src", "Liiklus.Api") })
        {
            start.ArgumentList.Add(argument);
        }

        var gateway = Launch(start, environment, FreePort(), seedNodes: null);
        await gateway.WaitUntilServingAsync();
        return gateway;
    }

    private static GatewayProcess Launch(ProcessStartInfo start, IReadOnlyDictionary<string, string> environment, int remotePort, string? seedNodes)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        // A gateway started again on the port of an earlier one names it; others get a free one (and a spec of a
        // malformed port passes its text on as it is).
        var grpcPort = environment.TryGetValue("grpc_port", out var given) && int.TryParse(given, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? port
            : FreePort();
        start.Environment["grpc_port"] = grpcPort.ToString();
        // The operations port defaults to 8080: nodes side by side on one machine need one each.
        var operationsPort = FreePort();
        start.Environment["server_port"] = operationsPort.ToString();
        start.Environment["akka_remote_port"] = remotePort.ToString();
        start.Environment["akka_remote_hostname"] = "127.0.0.1";
        // Request lines would push the cluster's decisions out of a failing test's log tail.
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        if (seedNodes is not null)
        {
            start.Environment["akka_cluster_seed_nodes"] = seedNodes;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        if (environment.TryGetValue("server_port", out var givenOperations))
        {
            operationsPort = int.TryParse(givenOperations, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        }

        return new GatewayProcess(Process.Start(start)!, grpcPort, remotePort, operationsPort);
    }

    /// <summary>Waits for the gateway to exit on its own, its output read to the end; its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan deadline)
    {
        await _process.WaitForExitAsync().WaitAsync(deadline);
        return _process.ExitCode;
    }

    /// <summary>Liiklus's variables for a node on Kafka (records) and Redis (positions), both on loopback.</summary>
    public static Dictionary<string, string> KafkaAndRedis(string bootstrapServers, int redisPort) => new()
    {
        ["storage_records_type"] = "KAFKA",
        ["kafka_bootstrapServers"] = bootstrapServers,
        ["storage_positions_type"] = "REDIS",
        ["redis_host"] = "127.0.0.1",
        ["redis_port"] = redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// A loopback port free now and never handed out before in this test run: the kernel may offer a port again as soon
    /// as its probe closes, and one gateway given the same port for remoting and gRPC cannot start.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOutPorts.TryAdd(port, 0))
            {
                return port;
            }
        }
    }

    /// <summary>SIGKILL: no shutdown of any kind, as a crash or the OOM killer would.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM, as an orchestrator stops a pod: the gateway shuts down gracefully.</summary>
    public async Task TerminateAsync(TimeSpan deadline)
    {
        Terminate();
        await WaitForExitAsync(deadline);
    }

    /// <summary>Sends SIGTERM without waiting for the gateway to stop.</summary>
    public void Terminate() => _ = SendSignal(_process.Id, SigTerm);

    public Task WaitForExitAsync(TimeSpan deadline) => _process.WaitForExitAsync().WaitAsync(deadline);

    /// <summary>A channel to the gateway's gRPC port, for clients besides <see cref="Client"/>.</summary>
    public GrpcChannel Channel => _channel;

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        if (!_process.HasExited)
        {
            // dotnet run starts the gateway as a child of its own.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Liiklus.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no Liiklus.sln above {AppContext.BaseDirectory}");
    }

    private async Task WaitUntilServingAsync()
    {
        var health = new Health.HealthClient(_channel);
        await Eventually.Until(
            async () =>
            {
                if (_process.HasExited)
                {
                    // Waits for the redirected output to be read to its end, so the log holds the reason.
                    await _process.WaitForExitAsync();
                    throw new InvalidOperationException($"gateway exited with {_process.ExitCode}:\n{Log}");
                }

                try
                {
                    return (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2))).Status;
                }
                catch (Grpc.Core.RpcException)
                {
                    return HealthCheckResponse.Types.ServingStatus.Unknown;
                }
            },
            status => status == HealthCheckResponse.Types.ServingStatus.Serving,
            "gateway process serving",
            TimeSpan.FromSeconds(60));
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
