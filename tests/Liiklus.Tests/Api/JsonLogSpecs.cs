using System.Text.Json;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api;

/// <summary>The gateway's own output with logging_format=JSON, as a log shipper reads it.</summary>
public sealed class JsonLogSpecs
{
    [Fact]
    public async Task Json_log_is_one_json_object_per_line_with_akka_under_its_source_and_no_junk_state()
    {
        var environment = new Dictionary<string, string> { ["logging_format"] = "JSON" };
        await using var gateway = await GatewayProcess.StartAsync(environment, GatewayProcess.FreePort(), seedNodes: null);
        await gateway.TerminateAsync(TimeSpan.FromSeconds(30));

        var lines = gateway.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var akka = new List<string>();
        foreach (var line in lines)
        {
            using var json = ParseOrSay(line);
            var category = json.RootElement.GetProperty("Category").GetString()!;
            Assert.DoesNotContain("System.Collections.Generic", line);
            Assert.NotEqual("Akka.Event.DummyClassForStringSources", category);
            if (json.RootElement.TryGetProperty("State", out var state) && state.TryGetProperty("ActorPath", out _))
            {
                akka.Add(category);
            }
        }

        Assert.NotEmpty(akka);
    }

    // A line that is not JSON fails the spec naming the line, so a rare one shows what wrote it.
    private static JsonDocument ParseOrSay(string line)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"a log line is not JSON ({e.Message}): {line}");
        }
    }

    [Fact]
    public async Task Start_up_says_which_storages_are_in_use_and_which_port_is_grpc_and_which_is_operations()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>(), GatewayProcess.FreePort(), seedNodes: null);

        var summary = await Eventually.Until(
            () => Task.FromResult(gateway.Log.Split('\n').FirstOrDefault(line => line.Contains("Liiklus serving gRPC on"))),
            line => line is not null,
            "the start-up summary");

        Assert.Contains($":{gateway.GrpcPort}, operations (metrics, health) on http://", summary);
        Assert.Contains("records storage MEMORY, positions storage MEMORY", summary);
    }
}
