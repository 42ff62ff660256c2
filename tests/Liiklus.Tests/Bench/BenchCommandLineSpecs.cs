using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Bench;

/// <summary>The bench's command line, run as its users run it (its build output, in a process of its own).</summary>
public sealed class BenchCommandLineSpecs
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_usage_with_every_benchmark_and_runs_nothing(string help)
    {
        var (exitCode, output, error) = await RunBenchAsync([help, "--quick"]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: dotnet run -c Release --project bench/Liiklus.Bench --", output);
        Assert.Contains("replay_groups", output);
        Assert.Contains("acks", output);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task Unknown_benchmark_names_exit_2_listing_the_known_ones()
    {
        var (exitCode, output, error) = await RunBenchAsync(["--quick", "--only", "receive,nosuch,other"]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("unknown benchmarks 'nosuch', 'other'; known: receive, receive_kafka, publish,", error);
        Assert.Contains("replay_groups", error);
    }

    [Fact]
    public async Task Unknown_argument_exits_2_with_usage()
    {
        var (exitCode, _, error) = await RunBenchAsync(["--quik"]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("unknown argument '--quik'", error);
        Assert.Contains("Usage:", error);
    }

    [Fact]
    public async Task Benchmark_whose_prerequisites_are_missing_is_skipped_with_one_line_and_the_run_succeeds()
    {
        using var files = new TestFiles();
        var results = Path.Combine(files.Folder, "results.json");
        // A PATH without redis-server or dynalite.
        var (exitCode, _, error) = await RunBenchAsync(["--quick", "--only", "acks", "--out", results], path: files.Folder);

        Assert.Equal(0, exitCode);
        var skipped = Assert.Single(error.Split('\n'), line => line.StartsWith("acks skipped: ", StringComparison.Ordinal));
        Assert.Contains("redis-server is not installed (./test.sh installs it: apt-get install redis-server)", skipped);
        Assert.Contains("dynalite is not installed", skipped);
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(results));
        Assert.True(written.RootElement.GetProperty("skipped").TryGetProperty("acks", out _));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunBenchAsync(string[] arguments, string? path = null)
    {
        var bench = typeof(BenchCommandLineSpecs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchAssembly").Value!;
        // The runtime running these specs runs the bench too, whatever PATH holds: .../shared/Microsoft.NETCore.App/<version>/
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, "dotnet"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(bench);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A bench that ignored its arguments and started running: stop it, and fail.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await output).Trim(), (await error).Trim());
    }
}
