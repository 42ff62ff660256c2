using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Liiklus.Tests.Deploy;

/// <summary>
/// The Dockerfile, built and run as a container runtime would, with what works here: buildah builds it (chroot
/// isolation, RUN steps included) from base images made locally (deploy/container/local-base-images.sh, since no image
/// registry is reachable), and <c>buildah run</c> runs the gateway in it on the host's network.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ContainerImageSpecs(ITestOutputHelper output)
{
    private const string Image = "localhost/liiklus-spec:latest";
    private const string InstallHint = "apt-get install buildah podman debootstrap (test.sh does)";
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(15);

    [Fact]
    public async Task Image_built_from_the_Dockerfile_publishes_and_receives_as_a_non_root_user_and_stops_on_sigterm()
    {
        var clock = Stopwatch.StartNew();
        var bases = (await Command.RunAsync(RepositoryFiles.PathOf("deploy/container/local-base-images.sh"), [], InstallHint, BuildDeadline)).Trim().Split(' ');
        var based = clock.Elapsed;
        var packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await Command.RunAsync(
            "buildah",
            [
                // Docker's format keeps the HEALTHCHECK, which OCI's has no field for.
                "bud", "--isolation", "chroot", "--layers", "-q", "--format", "docker",
                "--build-arg", $"SDK_IMAGE={bases[0]}", "--build-arg", $"RUNTIME_IMAGE={bases[1]}",
                // The restore takes this machine's NuGet cache rather than downloading every package again.
                "-v", $"{packages}:/root/.nuget/packages",
                "-t", Image, "-f", RepositoryFiles.PathOf("Dockerfile"), RepositoryFiles.Root,
            ],
            InstallHint,
            BuildDeadline);
        var built = clock.Elapsed;
        var container = (await Command.RunAsync("buildah", ["from", Image], InstallHint)).Trim();
        try
        {
            var user = (await Command.RunAsync("buildah", ["run", "--isolation", "chroot", container, "--", "id", "-u"], InstallHint)).Trim();
            Assert.NotEqual("0", user);

            var grpcPort = GatewayProcess.FreePort();
            var operationsPort = GatewayProcess.FreePort();
            using var gateway = Start(container, grpcPort, operationsPort, out var log);
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            var client = new LiiklusService.LiiklusServiceClient(channel);
            await WaitServingAsync(channel, gateway, log);

            var topic = $"topic-{Guid.NewGuid():N}";
            var published = await client.PublishAsync(topic, "through the image", key: "k");
            var received = await ReceiveOneAsync(client, topic, published.Partition);
            Assert.Equal("through the image", received);

            // The image's HEALTHCHECK command, run in the image beside the gateway.
            var healthCheck = await Command.RunWhateverItsExitAsync(
                "buildah",
                ["run", "--isolation", "chroot", "--env", $"server_port={operationsPort}", container, "--", "bash", "-c",
                 "exec 3<>/dev/tcp/127.0.0.1/${server_port:-8080} && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"],
                InstallHint,
                RepositoryFiles.Root);
            Assert.True(healthCheck.ExitCode == 0, $"health check failed: {healthCheck.Output}");

            // The web console's built files are copied into the image, not only the binaries.
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
            {
                var page = await http.GetStringAsync($"http://127.0.0.1:{operationsPort}/console/topics");
                Assert.Contains("app.js", page);
                using var script = await http.GetAsync($"http://127.0.0.1:{operationsPort}/console/app.js");
                Assert.Equal(System.Net.HttpStatusCode.OK, script.StatusCode);
            }

            var (pid, uid) = GatewayProcessInContainer();
            Assert.True(pid > 0 && uid != "0", $"the gateway's process runs as uid {uid}");

            // SIGTERM to the gateway itself, as a runtime's stop sends it to the container's first process (buildah
            // run would kill it instead of passing the signal on).
            var stopping = Stopwatch.StartNew();
            Signal(pid, 15);
            await gateway.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(40));
            output.WriteLine(
                $"base images {based.TotalSeconds:0} s, image build {(built - based).TotalSeconds:0} s, container uid {user}, " +
                $"stopped {stopping.Elapsed.TotalSeconds:0.0} s after SIGTERM with exit code {gateway.ExitCode}; whole spec {clock.Elapsed.TotalSeconds:0} s");
            Assert.Contains("Application is shutting down", log.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await Command.RunWhateverItsExitAsync("buildah", ["rm", container], InstallHint, RepositoryFiles.Root);
        }
    }

    private static Process Start(string container, int grpcPort, int operationsPort, out System.Text.StringBuilder log)
    {
        var start = new ProcessStartInfo("buildah") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "run", "--isolation", "chroot", "--env", $"grpc_port={grpcPort}", "--env", $"server_port={operationsPort}",
                     container, "--", "/app/Liiklus.Api",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var lines = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (lines) { lines.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lines) { lines.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = lines;
        return process;
    }

    private static async Task WaitServingAsync(GrpcChannel channel, Process gateway, System.Text.StringBuilder log)
    {
        var health = new Health.HealthClient(channel);
        await Eventually.Until(
            async () =>
            {
                if (gateway.HasExited)
                {
                    throw new InvalidOperationException($"the container exited with {gateway.ExitCode}:\n{log}");
                }

                try
                {
                    return (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2))).Status;
                }
                catch (RpcException)
                {
                    return HealthCheckResponse.Types.ServingStatus.Unknown;
                }
            },
            status => status == HealthCheckResponse.Types.ServingStatus.Serving,
            "the gateway in the container serving",
            TimeSpan.FromSeconds(90));
    }

    private static async Task<string> ReceiveOneAsync(LiiklusService.LiiklusServiceClient client, string topic, uint partition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var subscription = client.Subscribe(
            new SubscribeRequest { Topic = topic, Group = $"group-{Guid.NewGuid():N}", AutoOffsetReset = SubscribeRequest.Types.AutoOffsetReset.Earliest },
            cancellationToken: timeout.Token);
        await foreach (var reply in subscription.ResponseStream.ReadAllAsync(timeout.Token))
        {
            if (reply.Assignment.Partition != partition)
            {
                continue;
            }

            using var receive = client.Receive(new ReceiveRequest { Assignment = reply.Assignment }, cancellationToken: timeout.Token);
            await foreach (var record in receive.ResponseStream.ReadAllAsync(timeout.Token))
            {
                return record.Record.Value.ToStringUtf8();
            }
        }

        throw new InvalidOperationException("no record received");
    }

    /// <summary>
    /// The gateway's process and its real uid (chroot isolation shares the host's process table): the innermost process
    /// whose command line is the image's entry point (buildah's chroot runner may carry it too).
    /// </summary>
    private static (int Pid, string Uid) GatewayProcessInContainer()
    {
        var found = (Pid: 0, Uid: "(no /app/Liiklus.Api process found)");
        foreach (var folder in Directory.GetDirectories("/proc").Where(f => int.TryParse(Path.GetFileName(f), out _)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(folder, "cmdline")).StartsWith("/app/Liiklus.Api", StringComparison.Ordinal)
                    && int.Parse(Path.GetFileName(folder), System.Globalization.CultureInfo.InvariantCulture) is var pid && pid > found.Pid)
                {
                    var uid = File.ReadLines(Path.Combine(folder, "status")).First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                    found = (pid, uid.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return found;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
}
