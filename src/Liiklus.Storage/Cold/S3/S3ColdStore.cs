using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Liiklus.Storage.Cold.Format;
using Liiklus.Storage.Positions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liiklus.Storage.Cold.S3;

/// <summary>
/// A cold store in an S3-compatible bucket (AWS S3, MinIO, s3rver): one object per range, named
/// <c>{prefix}v1/ranges/{topic}/{partition}/{next:D20}-{base:D20}.seg</c> (<c>.gap</c> for a gap, empty), so that one
/// listing from <c>{offset:D20}-~</c> finds the range holding an offset and a rewrite of a range lands on the same key;
/// an empty <c>{prefix}v1/partitions/{topic}/{partition}</c> marks each partition that has any.
/// </summary>
/// <remarks>
/// S3 offers no conditional write every server serves (s3rver has none), so writers of one partition take turns
/// through claims: a writer puts <c>{prefix}v1/writers/{topic}/{partition}/{id}</c>, lists the claims, and writes
/// only when its own is the only fresh one, deleting it after; S3's read-after-write consistency for puts and lists
/// makes two writers that overlap in time see each other, and both step back and try again after a random pause.
/// A claim older than <see cref="S3ColdOptions.StaleClaimAfter"/> (by the server's clock) is a crashed writer's.
/// </remarks>
public sealed class S3ColdStore : IColdStore, IDisposable
{
    private const int ClaimAttempts = 12;

    /// <summary>
    /// An object that stays beside a partition's claims. Servers that keep objects as files (s3rver) remove a folder
    /// with its last object, and a claim uploaded into that folder at the same moment crashes s3rver; with the
    /// anchor the folder is never empty.
    /// </summary>
    private const string Anchor = "~anchor";

    private readonly IAmazonS3 _client;
    private readonly S3ColdOptions _options;
    private readonly string _ranges;
    private readonly string _writers;
    private readonly string _partitions;
    private readonly string _store;
    private readonly OutageReport _outages;
    private readonly ConcurrentDictionary<(string Topic, int Partition), bool> _anchored = new();

    /// <summary>A store whose credentials come from the AWS SDK's default chain (environment, profile, instance role).</summary>
    public S3ColdStore(S3ColdOptions options, ILogger? logger = null)
        : this(options, new AmazonS3Client(Config(options)), logger)
    {
    }

    internal S3ColdStore(S3ColdOptions options, IAmazonS3 client, ILogger? logger = null)
    {
        _options = options;
        _client = client;
        var root = (options.Prefix.Length == 0 || options.Prefix.EndsWith('/') ? options.Prefix : options.Prefix + "/") + "v1/";
        _ranges = root + "ranges/";
        _writers = root + "writers/";
        _partitions = root + "partitions/";
        _store = $"S3 cold store s3://{options.Bucket}/{options.Prefix}{(options.Endpoint is null ? "" : $" at {options.Endpoint}")}";
        _outages = new OutageReport(logger ?? NullLogger.Instance, _store);
    }

    /// <summary>The SDK's settings for these options, with what third-party servers need.</summary>
    public static AmazonS3Config Config(S3ColdOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.PathStyle,
            // Since 3.7.412 the SDK sends checksum trailers and asks for checksums that MinIO and s3rver do not serve;
            // every block carries its own CRC-32 anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = options.CommandTimeout,
            MaxErrorRetry = 2,
        };
        if (!string.IsNullOrEmpty(options.Endpoint))
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = string.IsNullOrEmpty(options.Region) ? "us-east-1" : options.Region;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return config;
    }

    public Task<ColdWriteResult> WriteSegmentAsync(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        IReadOnlyList<ColdRecord> records,
        CancellationToken cancellationToken)
    {
        var bytes = ColdSegmentWriter.Write(topic, partition, baseOffset, nextOffset, records, _options.BlockBytes);
        return WriteAsync(topic, partition, baseOffset, nextOffset, isSegment: true, bytes, cancellationToken);
    }

    public Task<ColdWriteResult> WriteGapAsync(string topic, int partition, long fromOffset, long toOffset, CancellationToken cancellationToken)
    {
        ColdSegmentWriter.CheckRange(fromOffset, toOffset);
        return WriteAsync(topic, partition, fromOffset, toOffset, isSegment: false, [], cancellationToken);
    }

    public Task<ColdRange?> FindAsync(string topic, int partition, long offset, CancellationToken cancellationToken) =>
        RunAsync(
            $"find offset {offset} of topic '{topic}' partition {partition}",
            async deadline =>
            {
                var after = await ListRangesAsync(topic, partition, ColdKeys.After(topic, partition, offset), maxKeys: 10, deadline).ConfigureAwait(false);
                return ColdChain.Covering(after, offset);
            },
            cancellationToken);

    public Task<long?> GetArchivedNextAsync(string topic, int partition, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the archived next offset of topic '{topic}' partition {partition}",
            async deadline => ColdChain.ArchivedNext(await ListRangesAsync(topic, partition, startAfter: null, maxKeys: null, deadline).ConfigureAwait(false)),
            cancellationToken);

    public async IAsyncEnumerable<ColdRange> ListAsync(
        string topic,
        int partition,
        long fromOffset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ranges = await RunAsync(
            $"list topic '{topic}' partition {partition} from offset {fromOffset}",
            deadline => ListRangesAsync(topic, partition, ColdKeys.After(topic, partition, fromOffset), maxKeys: null, deadline),
            cancellationToken).ConfigureAwait(false);
        foreach (var range in ranges.OrderBy(range => range.BaseOffset).ThenBy(range => range.NextOffset))
        {
            yield return range;
        }
    }

    public Task<IReadOnlyList<ColdPartition>> ListPartitionsAsync(string? topic, CancellationToken cancellationToken) =>
        RunAsync(
            topic is null ? "list the archived partitions" : $"list the archived partitions of topic '{topic}'",
            async deadline =>
            {
                var markers = await ListObjectsAsync(_partitions + (topic is null ? "" : topic + "/"), startAfter: null, maxKeys: null, deadline).ConfigureAwait(false);
                IReadOnlyList<ColdPartition> partitions = markers
                    .Select(marker => marker.Key[_partitions.Length..].Split('/'))
                    .Where(parts => parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    .Select(parts => new ColdPartition(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)))
                    .OrderBy(found => found.Topic, StringComparer.Ordinal)
                    .ThenBy(found => found.Partition)
                    .ToArray();
                return partitions;
            },
            cancellationToken);

    public Task<ColdSegmentIndex> ReadIndexAsync(ColdSegment segment, CancellationToken cancellationToken) =>
        RunAsync(
            $"read the footer of {segment.Key}",
            deadline => ColdSegmentReader.FetchIndexAsync(segment, (position, length) => GetAsync(segment.Key, position, length, deadline)),
            cancellationToken);

    public Task<ColdBlock> ReadBlockAsync(ColdSegmentIndex index, int block, CancellationToken cancellationToken) =>
        RunAsync(
            $"read block {block} of {index.Segment.Key}",
            deadline => ColdSegmentReader.FetchBlockAsync(index, block, (position, length) => GetAsync(index.Segment.Key, position, length, deadline)),
            cancellationToken);

    public void Dispose() => _client.Dispose();

    private Task<ColdWriteResult> WriteAsync(string topic, int partition, long baseOffset, long nextOffset, bool isSegment, byte[] bytes, CancellationToken cancellationToken)
    {
        var key = isSegment ? ColdKeys.Segment(topic, partition, baseOffset, nextOffset) : ColdKeys.Gap(topic, partition, baseOffset, nextOffset);
        return RunAsync(
            $"write {key}",
            async deadline =>
            {
                if (!_anchored.ContainsKey((topic, partition)))
                {
                    await PutAsync($"{_writers}{ColdKeys.PartitionPrefix(topic, partition)}{Anchor}", [], deadline).ConfigureAwait(false);
                    _anchored[(topic, partition)] = true;
                }

                for (var attempt = 1; attempt <= ClaimAttempts; attempt++)
                {
                    var claim = $"{_writers}{ColdKeys.PartitionPrefix(topic, partition)}{Guid.NewGuid():N}";
                    await PutAsync(claim, [], deadline).ConfigureAwait(false);
                    try
                    {
                        if (await AloneAsync(topic, partition, claim, deadline).ConfigureAwait(false))
                        {
                            return await CheckAndPutAsync(topic, partition, baseOffset, nextOffset, isSegment, key, bytes, deadline).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        // Not with the deadline: a claim left behind stalls the partition's writers until it is stale.
                        using var cleanup = new CancellationTokenSource(_options.CommandTimeout);
                        await _client.DeleteObjectAsync(_options.Bucket, claim, cleanup.Token).ConfigureAwait(false);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60) * attempt), deadline).ConfigureAwait(false);
                }

                throw StorageUnavailableException.Cold($"{_store}: other writers of topic '{topic}' partition {partition} kept claiming it; {key} was not written");
            },
            cancellationToken);
    }

    /// <summary>Whether the claim just put is the only fresh one of the partition; stale ones are removed.</summary>
    private async Task<bool> AloneAsync(string topic, int partition, string claim, CancellationToken deadline)
    {
        var folder = $"{_writers}{ColdKeys.PartitionPrefix(topic, partition)}";
        var claims = (await ListObjectsAsync(folder, startAfter: null, maxKeys: null, deadline).ConfigureAwait(false))
            .Where(found => found.Key != folder + Anchor)
            .ToList();
        var mine = claims.FirstOrDefault(found => found.Key == claim);
        if (mine?.LastModified is not { } now)
        {
            // A listing that misses a claim just put would break S3's consistency; stepping back is safe.
            return false;
        }

        var alone = true;
        foreach (var other in claims.Where(found => found.Key != claim))
        {
            if (other.LastModified is { } modified && modified < now - _options.StaleClaimAfter)
            {
                await _client.DeleteObjectAsync(_options.Bucket, other.Key, deadline).ConfigureAwait(false);
            }
            else
            {
                alone = false;
            }
        }

        return alone;
    }

    private async Task<ColdWriteResult> CheckAndPutAsync(
        string topic,
        int partition,
        long baseOffset,
        long nextOffset,
        bool isSegment,
        string key,
        byte[] bytes,
        CancellationToken deadline)
    {
        var after = await ListRangesAsync(topic, partition, ColdKeys.After(topic, partition, baseOffset), maxKeys: null, deadline).ConfigureAwait(false);
        var outcome = ColdChain.Check(after, isSegment, baseOffset, nextOffset);
        if (outcome is { } refused)
        {
            return new ColdWriteResult(refused, ColdChain.ArchivedNext(after));
        }

        if (after.Count == 0)
        {
            // Nothing ends after the base: the write extends the chain only if a range ends at the base, or there is none.
            var endingAtBase = await ListObjectsAsync(
                _ranges + ColdKeys.PartitionPrefix(topic, partition) + baseOffset.ToString("D20", CultureInfo.InvariantCulture) + "-",
                startAfter: null,
                maxKeys: 1,
                deadline).ConfigureAwait(false);
            if (endingAtBase.Count == 0)
            {
                var all = await ListRangesAsync(topic, partition, startAfter: null, maxKeys: null, deadline).ConfigureAwait(false);
                if (all.Count > 0)
                {
                    return new ColdWriteResult(ColdWriteOutcome.Conflict, ColdChain.ArchivedNext(all));
                }

                // The partition's first range: its marker lets ListPartitionsAsync list partitions without listing
                // ranges with a delimiter two levels deep (which s3rver answers wrongly) or at all.
                await PutAsync($"{_partitions}{topic}/{partition.ToString(CultureInfo.InvariantCulture)}", [], deadline).ConfigureAwait(false);
            }
        }

        await PutAsync(_ranges + key, bytes, deadline).ConfigureAwait(false);
        return new ColdWriteResult(ColdWriteOutcome.Written, Math.Max(nextOffset, ColdChain.ArchivedNext(after) ?? nextOffset));
    }

    private async Task PutAsync(string key, byte[] bytes, CancellationToken deadline)
    {
        using var content = new MemoryStream(bytes, writable: false);
        await _client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = content,
                AutoCloseStream = false,
                UseChunkEncoding = false,
                ContentType = "application/octet-stream",
            },
            deadline).ConfigureAwait(false);
    }

    private async Task<byte[]> GetAsync(string key, long position, long length, CancellationToken deadline)
    {
        try
        {
            using var response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _options.Bucket, Key = _ranges + key, ByteRange = new ByteRange(position, position + length - 1) },
                deadline).ConfigureAwait(false);
            var bytes = new byte[length];
            await response.ResponseStream.ReadExactlyAsync(bytes, deadline).ConfigureAwait(false);
            return bytes;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchKey")
        {
            throw new ColdSegmentCorruptException(key, null, "it is not in the bucket (deleted after it was listed)", e);
        }
        catch (EndOfStreamException e)
        {
            throw new ColdSegmentCorruptException(key, null, $"the bucket answered fewer than the {length} bytes from {position} asked for", e);
        }
    }

    private async Task<List<ColdRange>> ListRangesAsync(string topic, int partition, string? startAfter, int? maxKeys, CancellationToken deadline)
    {
        var objects = await ListObjectsAsync(
            _ranges + ColdKeys.PartitionPrefix(topic, partition),
            startAfter is null ? null : _ranges + startAfter,
            maxKeys,
            deadline).ConfigureAwait(false);
        return objects
            .Select(found => ColdKeys.Parse(topic, partition, found.Key[_ranges.Length..], found.Size ?? 0))
            .OfType<ColdRange>()
            .ToList();
    }

    private async Task<List<S3Object>> ListObjectsAsync(string prefix, string? startAfter, int? maxKeys, CancellationToken deadline)
    {
        var found = new List<S3Object>();
        string? continuation = null;
        do
        {
            var page = await _client.ListObjectsV2Async(
                new ListObjectsV2Request
                {
                    BucketName = _options.Bucket,
                    Prefix = prefix,
                    StartAfter = startAfter,
                    MaxKeys = maxKeys is { } most ? most - found.Count : 1000,
                    ContinuationToken = continuation,
                },
                deadline).ConfigureAwait(false);
            found.AddRange(page.S3Objects ?? []);
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null && (maxKeys is null || found.Count < maxKeys));

        return found;
    }

    private async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Deadline.RunAsync(_options.CommandTimeout, operation, cancellationToken).ConfigureAwait(false);
            _outages.Succeeded();
            return result;
        }
        catch (TimeoutException e)
        {
            throw Unavailable($"{_store} did not answer within {_options.CommandTimeout.TotalSeconds:0.###}s: could not {what}", e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            throw Unavailable($"{_store}: bucket '{_options.Bucket}' does not exist: could not {what}", e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            // Down, refusing the credentials, throttling: each may pass without a restart of the gateway.
            throw Unavailable($"{_store} is unavailable: could not {what}: {e.Message}", e);
        }
    }

    private StorageUnavailableException Unavailable(string detail, Exception inner)
    {
        var failure = StorageUnavailableException.Cold(detail, inner);
        _outages.Failed(failure);
        return failure;
    }
}
