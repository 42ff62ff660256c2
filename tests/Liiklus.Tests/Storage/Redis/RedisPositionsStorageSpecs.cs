using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Redis;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage.Redis;

/// <summary>The positions contract on a real redis-server, plus Liiklus's key layout, read and written raw.</summary>
public sealed class RedisPositionsStorageSpecs(RedisServer redis) : PositionsStorageContract, IClassFixture<RedisServer>
{
    protected override IPositionsStorage CreateStorage() => new RedisPositionsStorage(redis.Connection, redis.Options);

    [Fact]
    public async Task Positions_are_a_hash_per_group_version_in_liiklus_layout_with_decimal_text()
    {
        var topic = NewTopic();

        await Storage.UpdateAsync(topic, new GroupId("orders", 3), 7, 12345, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("orders", 3), 0, long.MaxValue, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("orders", 0), 1, 0, CancellationToken.None);

        Assert.Equal("hash", await redis.CliAsync("TYPE", $"liiklus:positions:{topic}:orders:3"));
        Assert.Equal(
            ["7", "12345", "0", "9223372036854775807"],
            (await redis.CliAsync("HGETALL", $"liiklus:positions:{topic}:orders:3")).Split('\n'));
        Assert.Equal(["1", "0"], (await redis.CliAsync("HGETALL", $"liiklus:positions:{topic}:orders:0")).Split('\n'));
        Assert.Equal(
            [$"liiklus:positions:{topic}:orders:0", $"liiklus:positions:{topic}:orders:3"],
            (await redis.CliAsync("--scan", "--pattern", $"*{topic}*")).Split('\n').Order());
    }

    [Fact]
    public async Task Positions_written_by_liiklus_with_plain_hset_are_read()
    {
        var topic = NewTopic();
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:billing:0", "0", "41", "5", "42");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:billing:2", "0", "7");

        var unversioned = await Storage.GetAsync(topic, new GroupId("billing", 0), CancellationToken.None);
        var all = await Storage.GetAllVersionsAsync(topic, "billing", CancellationToken.None);

        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, unversioned);
        Assert.Equal([0u, 2u], all.Keys.Order());
        Assert.Equal(new Dictionary<int, long> { [0] = 7 }, all[2]);
    }

    [Fact]
    public async Task Ack_overwrites_a_position_liiklus_wrote()
    {
        var topic = NewTopic();
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:billing:1", "3", "500");

        await Storage.UpdateAsync(topic, new GroupId("billing", 1), 3, 20, CancellationToken.None);

        Assert.Equal("20", await redis.CliAsync("HGET", $"liiklus:positions:{topic}:billing:1", "3"));
    }

    [Fact]
    public async Task Keys_whose_suffix_is_not_a_canonical_version_are_not_versions_of_the_name()
    {
        var topic = NewTopic();
        foreach (var suffix in new[] { "01", "-1", "+1", "1x", "", "4294967296", "x:1", "1:0" })
        {
            await redis.CliAsync("HSET", $"liiklus:positions:{topic}:g:{suffix}", "0", "666");
        }

        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:g:4", "0", "4");

        var all = await Storage.GetAllVersionsAsync(topic, "g", CancellationToken.None);

        Assert.Equal([4u], all.Keys);
        Assert.Equal(4, all[4][0]);
    }

    [Fact]
    public async Task Versions_are_found_across_many_scan_pages()
    {
        var topic = NewTopic();
        // Enough other keys that SCAN needs several round trips to walk the keyspace.
        await Task.WhenAll(Enumerable.Range(0, 5000).Select(i =>
            Storage.UpdateAsync(NewTopic(), new GroupId("g", (uint)i), 0, i, CancellationToken.None)));
        foreach (var version in new uint[] { 0, 1, 17, 4000 })
        {
            await Storage.UpdateAsync(topic, new GroupId("g", version), 2, version, CancellationToken.None);
        }

        var all = await Storage.GetAllVersionsAsync(topic, "g", CancellationToken.None);

        Assert.Equal([0u, 1u, 17u, 4000u], all.Keys.Order());
        Assert.All(all, version => Assert.Equal(version.Key, version.Value[2]));
    }

    [Fact]
    public async Task A_hash_field_that_is_not_partition_to_offset_is_refused_rather_than_guessed()
    {
        var topic = NewTopic();
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:g:0", "zero", "5");

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => Storage.GetAsync(topic, new GroupId("g", 0), CancellationToken.None));

        Assert.Contains($"liiklus:positions:{topic}:g:0", refused.Message);
        Assert.Contains("zero", refused.Message);
    }

    [Fact]
    public async Task Listing_reads_keys_liiklus_wrote_and_passes_over_what_is_not_a_group_version()
    {
        var topic = NewTopic();
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:billing:0", "0", "41", "5", "42");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:billing:2", "0", "7");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:a:b:3", "1", "8");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:stray:01", "0", "666");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}:stray:1", "zero", "666");
        await redis.CliAsync("HSET", $"liiklus:positions:{topic}", "0", "666");
        await redis.CliAsync("SET", $"liiklus:positions:{topic}:stray:2", "666");

        var groups = await Storage.ListGroupsAsync(topic, CancellationToken.None);

        Assert.Equal(["a:b", "billing"], groups.Select(group => group.GroupName));
        Assert.Equal(new Dictionary<int, long> { [1] = 8 }, groups[0].Versions[3]);
        Assert.Equal([0u, 2u], groups[1].Versions.Keys);
        Assert.Equal(new Dictionary<int, long> { [0] = 41, [5] = 42 }, groups[1].Versions[0]);
        Assert.Equal(2u, groups[1].LatestVersion);
    }

    [Fact]
    public async Task Listing_scans_the_keyspace_in_pages_and_never_uses_keys()
    {
        var topic = NewTopic();
        // Enough other keys that SCAN needs several round trips to walk the keyspace.
        await Task.WhenAll(Enumerable.Range(0, 3000).Select(i =>
            Storage.UpdateAsync(NewTopic(), new GroupId("g", (uint)i), 0, i, CancellationToken.None)));
        await Storage.UpdateAsync(topic, new GroupId("g", 7), 1, 70, CancellationToken.None);
        var before = await CommandCallsAsync();

        var groups = await Storage.ListGroupsAsync(topic, CancellationToken.None);

        var after = await CommandCallsAsync();
        Assert.Equal((7u, 70L), (groups.Single().LatestVersion, groups.Single().Versions[7][1]));
        Assert.True(after.GetValueOrDefault("scan") - before.GetValueOrDefault("scan") >= 3, $"SCAN calls before {before.GetValueOrDefault("scan")}, after {after.GetValueOrDefault("scan")}");
        Assert.Equal(before.GetValueOrDefault("keys"), after.GetValueOrDefault("keys"));
    }

    [Fact]
    public async Task A_listing_is_answered_again_for_its_max_age_and_then_scanned_anew()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("first", 0), 0, 1, CancellationToken.None);
        var kept = new RedisPositionsStorage(redis.Connection, redis.Options with { ListingMaxAge = TimeSpan.FromHours(1) });
        var fresh = new RedisPositionsStorage(redis.Connection, redis.Options with { ListingMaxAge = TimeSpan.Zero });
        Assert.Single(await kept.ListGroupsAsync(topic, CancellationToken.None));
        Assert.Single(await fresh.ListGroupsAsync(topic, CancellationToken.None));

        await Storage.UpdateAsync(topic, new GroupId("second", 0), 0, 2, CancellationToken.None);

        // The listing of every topic and of one topic are the same scan.
        Assert.Single(await kept.ListGroupsAsync(topic: null, CancellationToken.None), group => group.Topic == topic);
        Assert.Equal(["first", "second"], (await fresh.ListGroupsAsync(topic, CancellationToken.None)).Select(group => group.GroupName));
    }

    /// <summary>Calls of each Redis command so far (INFO commandstats), by lower-case command name.</summary>
    private async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, long>();
        foreach (var line in (await redis.CliAsync("INFO", "commandstats")).Split('\n'))
        {
            // cmdstat_scan:calls=12,usec=...
            if (line.StartsWith("cmdstat_", StringComparison.Ordinal) && line.IndexOf(":calls=", StringComparison.Ordinal) is var at and > 0)
            {
                var count = line[(at + ":calls=".Length)..].Split(',')[0];
                calls[line["cmdstat_".Length..at]] = long.Parse(count);
            }
        }

        return calls;
    }
}
