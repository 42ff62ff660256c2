using System.Diagnostics;
using Xunit;

namespace Liiklus.Tests.Cli;

/// <summary>The command line as its users run it: the tool's program in a process of its own, real standard streams.</summary>
public sealed class CliProcessSpecs(CliGatewayFixture fixture) : IClassFixture<CliGatewayFixture>
{
    [Fact]
    public async Task Publish_dash_reads_the_process_standard_input_and_consume_prints_it_back()
    {
        var topic = $"piped-{Guid.NewGuid():N}";

        var published = await RunAsync(["-s", fixture.Server, "publish", topic, "-k", "same", "-"], "first line\nsecond line\n");
        var consumed = await RunAsync(["-s", fixture.Server, "consume", topic, "-g", "g", "-e", "-f", "%v"], "");

        Assert.True(published.ExitCode == 0, published.Error);
        Assert.Equal(3, published.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("first line\nsecond line\n", consumed.Output);
    }

    [Fact]
    public async Task Usage_error_exits_2_from_the_process()
    {
        var run = await RunAsync(["consume", "t"], "");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains("Option '--group' is required.", run.Error);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] arguments, string input)
    {
        // The runtime running these specs runs the tool too, whatever PATH holds: .../shared/Microsoft.NETCore.App/<version>/
        var dotnetRoot = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, "dotnet"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "liiklus.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("LIIKLUS_SERVER");
        start.Environment.Remove("LIIKLUS_TOKEN");
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }
}
