using Confluent.Kafka;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Kafka;
using Xunit;

namespace Liiklus.Tests.Storage.KafkaPositions;

/// <summary>
/// How a group's versions are found when the storage lists the cluster's consumer groups. librdkafka's mock cluster
/// has no ListGroups, so these specs run against a double of the admin client.
/// </summary>
public sealed class KafkaPositionsListingSpecs
{
    private const string Topic = "orders";
    private readonly ConsumerGroupAdminDouble _admin = new();

    public KafkaPositionsListingSpecs() => _admin.AddTopic(Topic, 2);

    [Fact]
    public async Task Listing_finds_every_version_of_the_name_above_the_readers_own_too()
    {
        foreach (var (groupId, offset) in new[] { ("g", 5L), ("g-v2", 21L), ("g-v10", 101L), ("gg-v1", 1L), ("g-other", 1L), ("g-v01", 1L), ("g-vx", 1L) })
        {
            _admin.Commit(groupId, Topic, 1, offset);
        }

        var versions = await Storage(listGroups: true).GetVersionsForAsync(Topic, new GroupId("g", 1), CancellationToken.None);

        Assert.Equal([0u, 2u, 10u], versions.Keys.Order());
        Assert.Equal(new Dictionary<int, long> { [1] = 100 }, versions[10]);
        Assert.Equal(["DescribeTopics orders", "ListGroups", "OffsetFetch g", "OffsetFetch g-v10", "OffsetFetch g-v2"], _admin.Calls.Order());
    }

    [Fact]
    public async Task With_a_prefix_only_groups_under_it_are_versions_of_the_name()
    {
        _admin.Commit("liiklus.g-v3", Topic, 0, 31);
        _admin.Commit("g-v4", Topic, 0, 41);
        _admin.Commit("other.g-v5", Topic, 0, 51);

        var versions = await Storage(listGroups: true, prefix: "liiklus.").GetAllVersionsAsync(Topic, "g", CancellationToken.None);

        Assert.Equal([3u], versions.Keys);
        Assert.Equal(30, versions[3][0]);
    }

    [Fact]
    public async Task Brokers_without_listgroups_are_asked_once_and_versions_up_to_the_readers_own_are_read_instead()
    {
        _admin.ListingErrors.Add(new Error(ErrorCode.Local_UnsupportedFeature, "Required feature not supported by broker"));
        _admin.Commit("g", Topic, 0, 1);
        _admin.Commit("g-v2", Topic, 0, 3);
        _admin.Commit("g-v7", Topic, 0, 8);
        var storage = Storage(listGroups: true);

        var first = await storage.GetVersionsForAsync(Topic, new GroupId("g", 3), CancellationToken.None);
        var second = await storage.GetVersionsForAsync(Topic, new GroupId("g", 7), CancellationToken.None);

        Assert.Equal([0u, 2u], first.Keys.Order());
        Assert.Equal([0u, 2u, 7u], second.Keys.Order());
        Assert.Single(_admin.Calls, call => call == "ListGroups");
        Assert.Equal(4 + 8, _admin.Calls.Count(call => call.StartsWith("OffsetFetch g", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_listing_some_brokers_could_not_answer_is_unavailable_rather_than_short_of_versions()
    {
        _admin.ListingErrors.Add(new Error(ErrorCode.Local_TimedOut, "Timed out"));
        _admin.Commit("g", Topic, 0, 1);

        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            Storage(listGroups: true).GetVersionsForAsync(Topic, new GroupId("g", 0), CancellationToken.None));

        Assert.Contains("Local_TimedOut", unavailable.Message);
        Assert.Contains($"every version of topic '{Topic}', group 'g'", unavailable.Message);
    }

    [Fact]
    public async Task Listing_is_off_unless_asked_for()
    {
        _admin.Commit("g-v1", Topic, 0, 1);

        var versions = await Storage(listGroups: false).GetVersionsForAsync(Topic, new GroupId("g", 1), CancellationToken.None);

        Assert.Equal([1u], versions.Keys);
        Assert.DoesNotContain("ListGroups", _admin.Calls);
    }

    [Fact]
    public async Task A_topic_kafka_does_not_have_has_no_positions_and_no_offsets_are_fetched()
    {
        var versions = await Storage(listGroups: true).GetVersionsForAsync("unknown", new GroupId("g", 3), CancellationToken.None);

        Assert.Empty(versions);
        Assert.DoesNotContain(_admin.Calls, call => call.StartsWith("OffsetFetch", StringComparison.Ordinal));
    }

    private KafkaPositionsStorage Storage(bool listGroups, string prefix = "") =>
        new(() => _admin, new KafkaPositionsOptions("double:9092") { ListGroups = listGroups, GroupIdPrefix = prefix });
}
