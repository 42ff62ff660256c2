using Grpc.Core;
using Liiklus.Tests.Support;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Api;

/// <summary>The gateway as the run command starts it: its own process, configured by environment variables.</summary>
public sealed class GatewayProcessSpecs
{
    [Fact]
    public async Task Sigterm_ends_open_streams_normally_and_exits_cleanly()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>(), GatewayProcess.FreePort(), seedNodes: null);
        var topic = NewName("topic");
        var published = await gateway.Client.PublishAsync(topic, "v", key: "k");
        using var subscription = gateway.Client.Subscribe(topic, NewName("group"));
        using var receive = gateway.Client.Receive(await AssignmentFor(subscription, published.Partition));
        await receive.ReadAsync(1);

        await gateway.TerminateAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(await receive.ReadToEndAsync());
        Assert.Equal(StatusCode.OK, receive.GetStatus().StatusCode);
        await subscription.Completion.WaitAsync(LiiklusClientExtensions.Deadline);
        Assert.Contains("Application is shutting down", gateway.Log);
        Assert.Contains("Exiting completed", gateway.Log);
        Assert.Contains($"No plugins folder at {Path.Combine(AppContext.BaseDirectory, "plugins")}: no plugin loaded", gateway.Log);
    }

    [Fact]
    public async Task Readme_run_command_takes_relative_paths_from_the_callers_folder_and_logs_the_plugins_folder()
    {
        using var folder = new TestFiles();
        folder.Write("events.yml", "events:\n  com.example.order.created:\n    type: object\n");
        var plugins = Directory.CreateDirectory(Path.Combine(folder.Folder, "my-plugins")).FullName;
        var environment = new Dictionary<string, string>
        {
            ["schema_enabled"] = "true",
            ["schema_schemaURL"] = "file:events.yml",
            ["plugins_dir"] = "my-plugins",
        };

        await using var gateway = await GatewayProcess.StartWithDotnetRunAsync(environment, folder.Folder);

        Assert.Contains($"Plugins folder {plugins} holds no plugin", gateway.Log);
        Assert.Contains("Liiklus.Api.Schema.JsonSchemaPreProcessor", gateway.Log);
    }

    [Fact]
    public async Task Unknown_storage_type_stops_start_up_with_the_valid_types()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["storage_records_type"] = "CASSANDRA" }, GatewayProcess.FreePort(), seedNodes: null));

        Assert.Contains("storage_records_type (liiklus.storage.records.type) = 'CASSANDRA' is not allowed; allowed: one of MEMORY, KAFKA", error.Message);
    }

    [Fact]
    public async Task Unparsable_variable_exits_with_code_2_and_one_line_without_a_stack_trace()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["grpc_port"] = "abc" }, GatewayProcess.FreePort(), seedNodes: null));

        Assert.StartsWith("gateway exited with 2:", error.Message);
        Assert.Contains("Liiklus cannot start: grpc_port (liiklus.grpc.port) = 'abc' is not allowed; allowed: a whole number from 0 to 65535", error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public async Task Bad_akka_variables_exit_with_code_2_and_one_line_each_without_a_stack_trace()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["akka_remote_port"] = "70000", ["akka_remote_hostname"] = "not a host", ["akka_cluster_seed_nodes"] = "foo" },
            GatewayProcess.FreePort(),
            seedNodes: null));

        Assert.StartsWith("gateway exited with 2:", error.Message);
        var lines = error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains(lines, line => line.StartsWith("Liiklus cannot start: akka_remote_port (akka.remote.dot-netty.tcp.port) = '70000'", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Liiklus cannot start: akka_remote_hostname (akka.remote.dot-netty.tcp.hostname) = 'not a host'", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Liiklus cannot start: akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'foo'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_log_format_writes_one_json_object_per_line_with_structured_fields()
    {
        await using var gateway = await GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["logging_format"] = "JSON" }, GatewayProcess.FreePort(), seedNodes: null);
        using var subscription = gateway.Client.Subscribe(NewName("topic"), NewName("group"));
        await subscription.NextAsync();

        var ready = await Eventually.Until(
            () => Task.FromResult(gateway.Log.Split('\n').FirstOrDefault(line => line.Contains("ready with"))),
            line => line is not null,
            "the coordinator's ready line");

        using var json = System.Text.Json.JsonDocument.Parse(ready!);
        Assert.Equal("Liiklus.Actors.Groups.GroupCoordinator", json.RootElement.GetProperty("Category").GetString());
        Assert.Equal(32, json.RootElement.GetProperty("State").GetProperty("PartitionCount").GetInt32());
        Assert.StartsWith("Group coordinator for topic", json.RootElement.GetProperty("Message").GetString());
    }
}
