using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.S3;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Cold;

/// <summary>The read path on the S3 cold store (s3rver).</summary>
public sealed class S3ColdReplaySpecs(MockKafkaCluster cluster, S3rverServer s3)
    : ColdReplayContract(cluster), IClassFixture<MockKafkaCluster>, IClassFixture<S3rverServer>
{
    private S3ColdStore? _store;

    protected override IColdStore CreateStore()
    {
        var options = s3.Options($"replay-{Guid.NewGuid():N}/");
        return _store = new S3ColdStore(options, S3rverServer.NewClient(options, httpClientFactory: null));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _store?.Dispose();
    }
}
