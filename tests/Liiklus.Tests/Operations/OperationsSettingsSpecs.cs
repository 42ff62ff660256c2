using Akka.Configuration;
using Liiklus.Api.Configuration;
using Xunit;

namespace Liiklus.Tests.Operations;

public sealed class OperationsSettingsSpecs
{
    [Fact]
    public void Defaults_serve_operations_on_8080_with_metrics_on_gzip_replies_and_no_drain_delay()
    {
        var operations = GatewaySettings.From(GatewayHocon.Load(null, _ => null)).Operations;

        Assert.Equal(8080, operations.HttpPort);
        Assert.True(operations.MetricsEnabled);
        Assert.Equal("gzip", operations.ResponseCompression);
        Assert.Equal(TimeSpan.Zero, operations.DrainDelay);
    }

    [Fact]
    public void Liiklus_server_port_variable_sets_the_operations_port()
    {
        var config = GatewayHocon.Load(null, name => name == "server_port" ? "9090" : null);

        Assert.Equal(9090, GatewaySettings.From(config).Operations.HttpPort);
    }

    [Theory]
    [InlineData("liiklus.server.port = http", "server_port (liiklus.server.port) = 'http'")]
    [InlineData("liiklus.metrics.enabled = maybe", "liiklus.metrics.enabled = 'maybe'")]
    [InlineData("liiklus.metrics.max-group-series = 0", "liiklus.metrics.max-group-series = '0'")]
    [InlineData("liiklus.grpc.compression.responses = brotli", "liiklus.grpc.compression.responses = 'brotli'")]
    [InlineData("liiklus.shutdown.drain-delay = 1m", "liiklus.shutdown.drain-delay = '1m'")]
    public void A_bad_operations_setting_stops_start_up_naming_it(string hocon, string named)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(GatewayHocon.Load(null, _ => null));

        var error = Assert.Throws<SettingsException>(() => GatewaySettings.From(config));

        Assert.Contains(named, error.Message);
    }
}
