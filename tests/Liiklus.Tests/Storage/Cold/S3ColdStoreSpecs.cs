using Amazon.S3.Model;
using Liiklus.Storage;
using Liiklus.Storage.Cold;
using Liiklus.Storage.Cold.S3;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Cold;

/// <summary>The cold store contract on s3rver, plus the bucket's layout as another program sees it.</summary>
public sealed class S3ColdStoreSpecs(S3rverServer s3) : ColdStoreContract, IClassFixture<S3rverServer>, IDisposable
{
    private readonly CountingHttpClientFactory _http = new();
    private readonly string _prefix = $"cluster-{Guid.NewGuid():N}/";
    private S3ColdStore? _store;

    protected override long Fetches => _http.Requests;

    protected override IColdStore CreateStore(int blockBytes) =>
        _store = new S3ColdStore(
            s3.Options(_prefix) with { BlockBytes = blockBytes },
            S3rverServer.NewClient(s3.Options(_prefix), _http));

    protected override async Task CorruptAsync(ColdSegment segment, long position)
    {
        var key = $"{_prefix}v1/ranges/{segment.Key}";
        byte[] bytes;
        using (var found = await s3.Client.GetObjectAsync(S3rverServer.Bucket, key))
        {
            using var copy = new MemoryStream();
            await found.ResponseStream.CopyToAsync(copy);
            bytes = copy.ToArray();
        }

        bytes[position] ^= 0x5A;
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = S3rverServer.Bucket, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false });
    }

    public void Dispose() => _store?.Dispose();

    [Fact]
    public async Task Ranges_are_objects_named_by_end_and_base_under_the_prefix_with_a_partition_marker_and_no_claim_left()
    {
        var topic = NewTopic();
        await Store.WriteSegmentAsync(topic, 2, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None);
        await Store.WriteGapAsync(topic, 2, 10, 25, CancellationToken.None);

        var listed = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3rverServer.Bucket, Prefix = _prefix });

        Assert.Equal(
            [
                $"{_prefix}v1/partitions/{topic}/2",
                $"{_prefix}v1/ranges/{topic}/2/00000000000000000010-00000000000000000000.seg",
                $"{_prefix}v1/ranges/{topic}/2/00000000000000000025-00000000000000000010.gap",
                $"{_prefix}v1/writers/{topic}/2/~anchor",
            ],
            (listed.S3Objects ?? []).Select(found => found.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_cold_storage_unavailable()
    {
        using var store = new S3ColdStore(
            new S3ColdOptions { Endpoint = $"http://127.0.0.1:{GatewayProcess.FreePort()}", Bucket = "b", PathStyle = true, CommandTimeout = TimeSpan.FromSeconds(3) },
            S3rverServer.NewClient(new S3ColdOptions { Endpoint = $"http://127.0.0.1:{GatewayProcess.FreePort()}", Bucket = "b", PathStyle = true }, null));

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.GetArchivedNextAsync("t", 0, CancellationToken.None));

        Assert.Equal(StorageUnavailableException.ColdSummary, failure.Summary);
        Assert.Contains("could not read the archived next offset of topic 't' partition 0", failure.Message);
    }

    [Fact]
    public async Task A_missing_bucket_is_named()
    {
        using var store = new S3ColdStore(
            s3.Options("") with { Bucket = "no-such-bucket" },
            S3rverServer.NewClient(s3.Options("") with { Bucket = "no-such-bucket" }, null));

        var failure = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync("t", 0, 0, CancellationToken.None));

        Assert.Contains("bucket 'no-such-bucket' does not exist", failure.Message);
    }

    [Fact]
    public async Task A_claim_left_by_a_crashed_writer_holds_the_partition_until_it_is_stale()
    {
        var topic = NewTopic();
        var claim = $"{_prefix}v1/writers/{topic}/0/crashed";
        await s3.Client.PutObjectAsync(new PutObjectRequest { BucketName = S3rverServer.Bucket, Key = claim, ContentBody = "", UseChunkEncoding = false });

        var held = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            Store.WriteSegmentAsync(topic, 0, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None));
        Assert.Contains($"other writers of topic '{topic}' partition 0 kept claiming it", held.Message);

        using var impatient = new S3ColdStore(s3.Options(_prefix) with { StaleClaimAfter = TimeSpan.FromMilliseconds(1) }, S3rverServer.NewClient(s3.Options(_prefix), null));
        var written = await Eventually.Until(
            async () => (await impatient.WriteSegmentAsync(topic, 0, 0, 10, ColdRecords.Range(0, 10), CancellationToken.None)).Outcome,
            outcome => outcome == ColdWriteOutcome.Written,
            "a write once the crashed writer's claim is stale");
        Assert.Equal(ColdWriteOutcome.Written, written);
        var claims = await s3.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3rverServer.Bucket, Prefix = $"{_prefix}v1/writers/" });
        Assert.Equal([$"{_prefix}v1/writers/{topic}/0/~anchor"], (claims.S3Objects ?? []).Select(found => found.Key));
    }
}
