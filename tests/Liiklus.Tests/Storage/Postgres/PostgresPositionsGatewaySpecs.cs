using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Liiklus.Tests.Storage.Postgres;

/// <summary>
/// The gateway end to end with positions in a real PostgreSQL. Records live in one in-memory storage handed to
/// every gateway of a test, so they outlive a gateway too.
/// </summary>
public sealed class PostgresPositionsGatewaySpecs(PostgresServer postgres) : PositionsGatewayContract, IClassFixture<PostgresServer>
{
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 8));

    protected override string ShortDeadlineHocon => "liiklus.storage.postgres.command-timeout = 2s";

    protected override string StoreName => $"PostgreSQL positions storage at 127.0.0.1:{postgres.Port}/postgres";

    protected override Task<TestGateway> StartGatewayAsync(string hocon = "") =>
        TestGateway.StartAsync($"{hocon}\n{postgres.GatewayHocon}", services => services.AddSingleton<IRecordsStorage>(_records));

    protected override Task TakeStoreDownAsync() => postgres.StopAsync();

    protected override Task BringStoreBackAsync() => postgres.StartAsync();

    protected override async Task AssertStoredAsync(string topic, string group, uint version, uint partition, ulong acked) =>
        Assert.Equal(
            [$"{topic}|{group}|{version}|{partition}|{acked}"],
            await postgres.RowsAsync($"""
                SELECT topic, group_name, group_version, partition, "offset" FROM liiklus_positions
                WHERE topic = '{topic}' AND group_name = '{group}' AND group_version = {version}
                """));
}
