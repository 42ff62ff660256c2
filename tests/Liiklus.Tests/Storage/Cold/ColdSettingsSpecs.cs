using Akka.Configuration;
using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Postgres;
using Liiklus.Storage.Cold.S3;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>The cold storage's settings: variables, defaults, the topic matcher, the store registered, refusals at start.</summary>
public sealed class ColdSettingsSpecs
{
    [Fact]
    public void Cold_storage_is_off_by_default_and_registers_no_store()
    {
        var settings = FromEnvironment([]);

        Assert.Equal(ColdStoreType.None, settings.Cold.Type);
        Assert.True(settings.Cold.Topics.IsEmpty);
        Assert.Equal(64L * 1024 * 1024, settings.Cold.SegmentMaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.Cold.SegmentMaxAge);
        Assert.False(settings.Cold.Archives("orders"));
        using var services = Registered(settings.Cold);
        Assert.Null(services.GetService<IColdStore>());
        Assert.Same(settings.Cold, services.GetRequiredService<ColdOptions>());
    }

    [Fact]
    public void The_s3_variables_select_the_s3_store_and_set_it_up()
    {
        var settings = FromEnvironment(new()
        {
            ["cold_type"] = "s3",
            ["cold_topics"] = "orders, audit.*",
            ["cold_segmentMaxBytes"] = "16MiB",
            ["cold_segmentMaxAge"] = "90s",
            ["cold_s3_endpoint"] = "http://minio:9000",
            ["cold_s3_bucket"] = "archive",
            ["cold_s3_prefix"] = "liiklus/prod/",
            ["cold_s3_region"] = "eu-north-1",
            ["cold_s3_pathStyle"] = "true",
        });

        Assert.Equal(ColdStoreType.S3, settings.Cold.Type);
        Assert.Equal(16L * 1024 * 1024, settings.Cold.SegmentMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Cold.SegmentMaxAge);
        Assert.Equal(
            new S3ColdOptions { Endpoint = "http://minio:9000", Bucket = "archive", Prefix = "liiklus/prod/", Region = "eu-north-1", PathStyle = true },
            settings.Cold.S3);
        Assert.Equal([true, true, true, false, false], new[] { "orders", "audit.", "audit.logins", "orders2", "audit" }.Select(settings.Cold.Archives));
        using var services = Registered(settings.Cold);
        Assert.IsType<S3ColdStore>(services.GetRequiredService<IColdStore>());
    }

    [Fact]
    public async Task The_postgres_variable_selects_the_postgres_store()
    {
        var settings = FromEnvironment(new()
        {
            ["cold_type"] = "POSTGRES",
            ["cold_topics"] = "*",
            ["cold_postgres_connectionString"] = "Host=db;Port=5433;Database=cold;Username=gateway;Password=s3cret",
        });

        Assert.Equal(ColdStoreType.Postgres, settings.Cold.Type);
        Assert.Equal("db:5433/cold", settings.Cold.Postgres.Endpoint);
        Assert.DoesNotContain("s3cret", settings.Cold.Postgres.ToString());
        Assert.True(settings.Cold.Archives("any-topic"));
        await using var services = Registered(settings.Cold);
        Assert.IsType<PostgresColdStore>(services.GetRequiredService<IColdStore>());
    }

    [Theory]
    [InlineData("cold_type", "FOO", "cold_type (liiklus.cold.type) = 'FOO' is not allowed; allowed: one of NONE, S3, POSTGRES")]
    [InlineData("cold_topics", "orders,or ders", "cold_topics (liiklus.cold.topics) = 'orders,or ders' is not allowed")]
    [InlineData("cold_topics", "ord*ers", "'ord*ers' is neither a topic name")]
    [InlineData("cold_topics", "", "cold_topics (liiklus.cold.topics) = '' is not allowed; allowed: at least one topic name")]
    [InlineData("cold_segmentMaxBytes", "1000", "cold_segmentMaxBytes (liiklus.cold.segment-max-bytes) = '1000' is not allowed")]
    [InlineData("cold_segmentMaxAge", "forever", "cold_segmentMaxAge (liiklus.cold.segment-max-age) = 'forever' is not allowed")]
    [InlineData("cold_s3_bucket", "", "cold_s3_bucket (liiklus.cold.s3.bucket) = '' is not allowed")]
    [InlineData("cold_s3_endpoint", "minio:9000", "cold_s3_endpoint (liiklus.cold.s3.endpoint) = 'minio:9000' is not allowed; allowed: an absolute http(s) URL")]
    [InlineData("cold_s3_pathStyle", "maybe", "cold_s3_pathStyle (liiklus.cold.s3.path-style) = 'maybe' is not allowed")]
    public void A_bad_s3_setting_stops_start_up_naming_the_variable(string variable, string value, string expected)
    {
        var environment = new Dictionary<string, string> { ["cold_type"] = "S3", ["cold_topics"] = "orders", ["cold_s3_bucket"] = "archive" };
        environment[variable] = value;

        var refused = RefusedAtStart(environment);

        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void Postgres_without_a_usable_connection_string_stops_start_up_naming_the_variable_and_never_the_password()
    {
        var missing = RefusedAtStart(new() { ["cold_type"] = "POSTGRES", ["cold_topics"] = "orders" });
        var unreadable = RefusedAtStart(new() { ["cold_type"] = "POSTGRES", ["cold_topics"] = "orders", ["cold_postgres_connectionString"] = "Host=db;Password=s3cret;Colour=blue" });

        Assert.Contains("cold_postgres_connectionString (liiklus.cold.postgres.connection-string) = '' is not allowed", missing.Message);
        Assert.Contains("cold_postgres_connectionString is not an Npgsql connection string", unreadable.Message);
        Assert.DoesNotContain("s3cret", unreadable.Message);
    }

    [Fact]
    public void Topic_lists_take_names_and_prefixes()
    {
        var topics = ColdTopics.Parse(" orders ,audit.* , orders,billing-v2.*");

        Assert.Equal(["orders"], topics.Names);
        Assert.Equal(["audit.", "billing-v2."], topics.Prefixes);
        Assert.Equal("orders,audit.*,billing-v2.*", topics.ToString());
        Assert.True(ColdTopics.Parse("*").Matches("anything"));
        Assert.True(ColdTopics.Parse(" , ").IsEmpty);
    }

    private static ServiceProvider Registered(ColdOptions options) =>
        new ServiceCollection().AddLogging().AddColdStore(options).BuildServiceProvider();

    private static GatewaySettings FromEnvironment(Dictionary<string, string> environment) =>
        GatewaySettings.From(GatewayHocon.Load(null, environment.GetValueOrDefault));

    /// <summary>Start-up as Program runs it, with only these variables set: refused with a one-line reason.</summary>
    private static Exception RefusedAtStart(Dictionary<string, string> environment)
    {
        var overrides = ConfigurationFactory.ParseString(string.Join('\n', environment.Select(variable =>
            $"{GatewayHocon.EnvironmentVariables[variable.Key]} = {System.Text.Json.JsonSerializer.Serialize(variable.Value)}")));
        var refused = Assert.ThrowsAny<Exception>(() => GatewayHost.Build([], overrides));
        Assert.True(refused is SettingsException or InvalidOperationException, refused.ToString());
        return refused;
    }
}
