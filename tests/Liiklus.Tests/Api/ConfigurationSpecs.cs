using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Api;

public sealed class ConfigurationSpecs
{
    [Fact]
    public void Defaults_serve_grpc_on_6565_with_in_memory_storages_and_no_seed_nodes()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(null, _ => null));

        Assert.Equal(6565, settings.Grpc.Port);
        Assert.Equal("MEMORY", settings.RecordsStorageType);
        Assert.Equal("MEMORY", settings.PositionsStorageType);
        Assert.Equal(32, settings.Memory.PartitionsPerTopic);
        Assert.Empty(settings.Cluster.SeedNodes);
    }

    [Fact]
    public void Liiklus_environment_variables_override_the_defaults()
    {
        var environment = new Dictionary<string, string>
        {
            ["grpc_port"] = "7000",
            ["storage_records_type"] = "memory",
            ["akka_cluster_seed_nodes"] = "akka.tcp://liiklus@10.0.0.1:4053, akka.tcp://liiklus@10.0.0.2:4053",
            ["akka_remote_hostname"] = "node-1.internal",
            ["akka_remote_port"] = "4053",
        };

        var config = GatewayHocon.Load(null, name => environment.GetValueOrDefault(name));
        var settings = GatewaySettings.From(config);

        Assert.Equal(7000, settings.Grpc.Port);
        Assert.Equal("MEMORY", settings.RecordsStorageType);
        Assert.Equal(["akka.tcp://liiklus@10.0.0.1:4053", "akka.tcp://liiklus@10.0.0.2:4053"], settings.Cluster.SeedNodes);
        Assert.Equal("node-1.internal", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
    }

    [Fact]
    public void Operators_bind_each_port_to_an_address_with_server_address_and_grpc_address()
    {
        var environment = new Dictionary<string, string> { ["server_address"] = "127.0.0.1", ["grpc_address"] = "::1" };

        var settings = GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name)));
        var defaults = GatewaySettings.From(GatewayHocon.Load(null, _ => null));

        Assert.Equal(System.Net.IPAddress.Loopback, settings.Operations.HttpAddress);
        Assert.Equal(System.Net.IPAddress.IPv6Loopback, settings.Grpc.Address);
        Assert.Equal(System.Net.IPAddress.Any, defaults.Operations.HttpAddress);
        Assert.Equal(System.Net.IPAddress.Any, defaults.Grpc.Address);
    }

    [Theory]
    [InlineData("liiklus.storage.records.type = CASSANDRA", "storage_records_type (liiklus.storage.records.type) = 'CASSANDRA'")]
    [InlineData("liiklus.storage.positions.type = ETCD", "storage_positions_type (liiklus.storage.positions.type) = 'ETCD'")]
    public void Unknown_storage_type_stops_start_up_listing_the_valid_ones(string hocon, string named)
    {
        var error = Assert.Throws<SettingsException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString(hocon)));

        Assert.Contains(named, error.Message);
        Assert.Contains("one of MEMORY", error.Message);
    }

    [Theory]
    [InlineData("liiklus.storage.memory.partitions-per-topic = 0", "liiklus.storage.memory.partitions-per-topic = '0'", "from 1")]
    [InlineData("liiklus.subscribe.buffer-size = 0", "liiklus.subscribe.buffer-size = '0'", "from 1")]
    [InlineData("liiklus.receive.buffer-bytes = lots", "liiklus.receive.buffer-bytes = 'lots'", "a size from")]
    [InlineData("liiklus.receive.claim-timeout = soon", "liiklus.receive.claim-timeout = 'soon'", "a duration from")]
    [InlineData("liiklus.grpc.address = gateway.local", "grpc_address (liiklus.grpc.address) = 'gateway.local'", "an IP address")]
    [InlineData("liiklus.storage.redis.ssl = maybe", "liiklus.storage.redis.ssl = 'maybe'", "true or false")]
    public void Out_of_range_value_stops_start_up_naming_the_key_and_what_is_allowed(string hocon, string named, string allowed)
    {
        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(ConfigurationFactory.ParseString(hocon), _ => null)));

        var problem = Assert.Single(refused.Problems);
        Assert.Contains(named, problem);
        Assert.Contains(allowed, problem);
    }

    [Fact]
    public void Bad_environment_variable_is_named_by_its_variable()
    {
        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(null, name => name == "grpc_port" ? "abc" : null)));

        Assert.Equal("grpc_port (liiklus.grpc.port) = 'abc' is not allowed; allowed: a whole number from 0 to 65535", Assert.Single(refused.Problems));
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once()
    {
        var overrides = ConfigurationFactory.ParseString("""
            liiklus.grpc.port = 70000
            liiklus.groups.max-shards = 0
            liiklus.storage.kafka.max-consumers = -1
            """);

        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(overrides, _ => null)));

        Assert.Equal(3, refused.Problems.Count);
    }

    [Fact]
    public void Receive_budget_smaller_than_a_few_streams_is_refused()
    {
        var overrides = ConfigurationFactory.ParseString("""
            liiklus.receive.buffer-bytes = 4MiB
            liiklus.receive.memory-budget = 8MiB
            """);

        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(overrides, _ => null)));

        Assert.Contains("liiklus.receive.memory-budget", Assert.Single(refused.Problems));
    }

    [Fact]
    public void Sizes_and_durations_take_units()
    {
        var overrides = ConfigurationFactory.ParseString("""
            liiklus.receive.buffer-bytes = 512KiB
            liiklus.receive.memory-budget = 1GiB
            liiklus.receive.claim-timeout = 1500ms
            """);

        var settings = GatewaySettings.From(GatewayHocon.Load(overrides, _ => null));

        Assert.Equal(512 * 1024, settings.Receive.StreamBufferBytes);
        Assert.Equal(1024L * 1024 * 1024, settings.ReceiveMemoryBudgetBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), settings.Receive.ClaimTimeout);
    }

    [Fact]
    public void Keys_the_gateway_does_not_know_are_found_and_operator_sections_are_not()
    {
        var config = GatewayHocon.Load(ConfigurationFactory.ParseString("""
            liiklus.recieve.buffer-bytes = 1MiB
            liiklus.storage.kafka.properties { "security.protocol" = SSL }
            """), _ => null);

        Assert.Equal(["liiklus.recieve.buffer-bytes"], SettingsReader.UnknownKeys(config, GatewayHocon.Defaults(), GatewaySettings.FreeFormSections));
    }

    [Theory]
    [InlineData("akka_remote_port", "abc", "akka_remote_port (akka.remote.dot-netty.tcp.port) = 'abc' is not allowed; allowed: a whole number from 0 to 65535")]
    [InlineData("akka_remote_port", "70000", "akka_remote_port (akka.remote.dot-netty.tcp.port) = '70000' is not allowed; allowed: a whole number from 0 to 65535")]
    [InlineData("akka_remote_hostname", "not a host", "akka_remote_hostname (akka.remote.dot-netty.tcp.hostname) = 'not a host' is not allowed; allowed: a host name or an IP address")]
    [InlineData("akka_cluster_seed_nodes", "foo", "akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'foo' is not allowed; allowed: comma-separated akka.tcp://liiklus@host:port")]
    [InlineData("akka_cluster_seed_nodes", "akka.tcp://liiklus@10.0.0.1:4053,akka.tcp://other@10.0.0.2:4053", "akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'akka.tcp://other@10.0.0.2:4053' is not allowed")]
    [InlineData("akka_cluster_seed_nodes", "http://liiklus@10.0.0.1:4053", "akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'http://liiklus@10.0.0.1:4053' is not allowed")]
    [InlineData("akka_cluster_seed_nodes", "akka.tcp://liiklus@10.0.0.1", "akka_cluster_seed_nodes (liiklus.cluster.seed-nodes) = 'akka.tcp://liiklus@10.0.0.1' is not allowed")]
    public void Bad_akka_variable_stops_start_up_naming_the_variable_and_what_is_allowed(string variable, string value, string problem)
    {
        var refused = Assert.Throws<SettingsException>(() => GatewaySettings.From(GatewayHocon.Load(null, name => name == variable ? value : null)));

        Assert.StartsWith(problem, Assert.Single(refused.Problems));
    }

    [Fact]
    public void Secure_seed_nodes_and_host_names_are_allowed()
    {
        var environment = new Dictionary<string, string>
        {
            ["akka_cluster_seed_nodes"] = "akka.ssl.tcp://liiklus@node-1.internal:4053,akka.ssl.tcp://liiklus@[::1]:4054",
            ["akka_remote_hostname"] = "node-2.internal",
            ["akka_remote_port"] = "0",
        };

        var settings = GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name)));

        Assert.Equal(2, settings.Cluster.SeedNodes.Count);
    }

    [Fact]
    public void Operator_config_file_is_layered_over_the_defaults_and_under_the_variables()
    {
        using var files = new TestFiles();
        var file = files.Write("gateway.conf", """
            liiklus.shutdown.drain-delay = 5s
            liiklus.grpc.port = 7000
            liiklus.storage.kafka.properties { "security.protocol" = SSL }
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 6s
            """);
        var environment = new Dictionary<string, string> { [GatewayHocon.ConfigFileVariable] = file, ["grpc_port"] = "7001" };

        var config = GatewayHocon.Load(null, name => environment.GetValueOrDefault(name));
        var settings = GatewaySettings.From(config);

        Assert.Equal(TimeSpan.FromSeconds(5), settings.Operations.DrainDelay);
        Assert.Equal(7001, settings.Grpc.Port);
        Assert.Equal("SSL", settings.Kafka.Properties["security.protocol"]);
        Assert.Equal(TimeSpan.FromSeconds(6), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(1), config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval"));
    }

    [Fact]
    public void Misspelt_keys_in_the_operator_config_file_are_found()
    {
        using var files = new TestFiles();
        var file = files.Write("gateway.conf", """
            liiklus.shutdown.drain-dealy = 5s
            liiklus.receive.buffer-bytes = 1MiB
            liiklus.storage.kafka.properties { "security.protocol" = SSL }
            liiklsu.grpc.port = 7000
            """);

        var config = GatewayHocon.Load(null, name => name == GatewayHocon.ConfigFileVariable ? file : null);

        Assert.Equal(["liiklsu", "liiklus.shutdown.drain-dealy"], SettingsReader.UnknownKeys(config, GatewayHocon.Defaults(), GatewaySettings.FreeFormSections));
    }

    [Fact]
    public void Operator_config_file_that_cannot_be_read_stops_start_up_naming_the_variable()
    {
        var refused = Assert.Throws<SettingsException>(() => GatewayHocon.Load(null, name => name == GatewayHocon.ConfigFileVariable ? "/nonexistent/gateway.conf" : null));

        Assert.StartsWith("liiklus_config_file = '/nonexistent/gateway.conf' cannot be read: ", Assert.Single(refused.Problems));
    }

    [Fact]
    public void Operator_config_file_that_is_not_hocon_stops_start_up_naming_the_variable()
    {
        using var files = new TestFiles();
        var file = files.Write("gateway.conf", "liiklus.grpc.port = ${nowhere}");

        var refused = Assert.Throws<SettingsException>(() => GatewayHocon.Load(null, name => name == GatewayHocon.ConfigFileVariable ? file : null));

        Assert.StartsWith($"liiklus_config_file = '{file}' is not valid HOCON: ", Assert.Single(refused.Problems));
    }
}
