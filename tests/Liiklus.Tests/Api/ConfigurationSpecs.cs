using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
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

    [Theory]
    [InlineData("liiklus.storage.records.type = CASSANDRA", "storage_records_type (liiklus.storage.records.type) = 'CASSANDRA'")]
    [InlineData("liiklus.storage.positions.type = ETCD", "storage_positions_type (liiklus.storage.positions.type) = 'ETCD'")]
    public void Unknown_storage_type_stops_start_up_listing_the_valid_ones(string hocon, string named)
    {
        var error = Assert.Throws<SettingsException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString(hocon)));

        Assert.Contains(named, error.Message);
        Assert.Contains("one of MEMORY", error.Message);
    }
}
