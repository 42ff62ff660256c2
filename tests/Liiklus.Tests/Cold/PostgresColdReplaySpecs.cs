using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.Postgres;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>The read path on the PostgreSQL cold store.</summary>
public sealed class PostgresColdReplaySpecs(MockKafkaCluster cluster, PostgresServer postgres)
    : ColdReplayContract(cluster), IClassFixture<MockKafkaCluster>, IClassFixture<PostgresServer>
{
    private PostgresColdStore? _store;

    protected override IColdStore CreateStore() =>
        _store = new PostgresColdStore(new PostgresColdOptions { ConnectionString = postgres.ConnectionString }, null);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
