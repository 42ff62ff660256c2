using Liiklus.Api.Configuration;
using Liiklus.Storage.Positions.Redis;
using Xunit;

namespace Liiklus.Tests.Storage.Redis;

public sealed class RedisSettingsSpecs
{
    [Fact]
    public void Liiklus_redis_variables_select_the_storage_and_the_rest_has_defaults()
    {
        var environment = new Dictionary<string, string>
        {
            ["storage_positions_type"] = "redis",
            ["redis_host"] = "positions.internal",
            ["redis_port"] = "6380",
        };

        var settings = GatewaySettings.From(GatewayHocon.Load(null, name => environment.GetValueOrDefault(name)));

        Assert.Equal("REDIS", settings.PositionsStorageType);
        Assert.Equal("positions.internal:6380", settings.Redis.Endpoint);
        Assert.Null(settings.Redis.Password);
        Assert.Equal(0, settings.Redis.Database);
        Assert.False(settings.Redis.Ssl);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Redis.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Redis.CommandTimeout);
    }

    [Fact]
    public void Without_variables_redis_is_localhost_6379()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(null, _ => null));

        Assert.Equal("localhost:6379", settings.Redis.Endpoint);
    }

    [Fact]
    public void Hocon_sets_password_database_tls_and_timeouts()
    {
        var settings = GatewaySettings.From(GatewayHocon.Load(Akka.Configuration.ConfigurationFactory.ParseString("""
            liiklus.storage.redis {
              password = "s3cret"
              database = 3
              ssl = on
              connect-timeout = 2s
              command-timeout = 750ms
            }
            """), _ => null));

        Assert.Equal("s3cret", settings.Redis.Password);
        Assert.Equal(3, settings.Redis.Database);
        Assert.True(settings.Redis.Ssl);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.Redis.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(750), settings.Redis.CommandTimeout);
    }

    [Fact]
    public void Printed_settings_never_show_the_password()
    {
        var options = new RedisPositionsOptions { Password = "s3cret" };

        Assert.DoesNotContain("s3cret", options.ToString());
        Assert.Contains("localhost:6379", options.ToString());
    }
}
