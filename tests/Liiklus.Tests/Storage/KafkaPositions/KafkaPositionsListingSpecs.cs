using Confluent.Kafka;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Kafka;
using Liiklus.Tests.Support;
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
    public async Task Deleting_a_version_deletes_its_offsets_of_the_topic_only_with_offset_delete()
    {
        _admin.AddTopic("payments", 1);
        _admin.Commit("g-v2", Topic, 0, 5);
        _admin.Commit("g-v2", Topic, 1, 6);
        _admin.Commit("g-v2", "payments", 0, 7);
        var storage = Storage(listGroups: false);

        await storage.DeleteAsync(Topic, new GroupId("g", 2), CancellationToken.None);

        Assert.Empty(await storage.GetAsync(Topic, new GroupId("g", 2), CancellationToken.None));
        Assert.Equal(6, (await storage.GetAsync("payments", new GroupId("g", 2), CancellationToken.None))[0]);
        Assert.Contains("OffsetDelete g-v2", _admin.Calls);
    }

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

    [Fact]
    public async Task With_listing_on_every_group_under_the_prefix_is_listed_with_each_topic_it_committed()
    {
        _admin.Commit("liiklus.g", Topic, 0, 5);
        _admin.Commit("liiklus.g-v2", Topic, 1, 21);
        _admin.Commit("liiklus.g-v2", "payments", 0, 8);
        _admin.Commit("liiklus.h-v01", Topic, 0, 3);
        _admin.Commit("other-v3", Topic, 0, 1);

        var storage = Storage(listGroups: true, prefix: "liiklus.");
        var all = await storage.ListGroupsAsync(topic: null, CancellationToken.None);
        var payments = await storage.ListGroupsAsync("payments", CancellationToken.None);

        Assert.Equal([(Topic, "g"), (Topic, "h-v01"), ("payments", "g")], all.Select(group => (group.Topic, group.GroupName)));
        Assert.Equal(new Dictionary<int, long> { [0] = 4 }, all[0].Versions[0]);
        Assert.Equal(new Dictionary<int, long> { [1] = 20 }, all[0].Versions[2]);
        Assert.Equal(2u, all[0].LatestVersion);
        Assert.Equal(new Dictionary<int, long> { [0] = 7 }, Assert.Single(payments).Versions[2]);
        Assert.DoesNotContain("OffsetFetch other-v3", _admin.Calls);
    }

    [Fact]
    public async Task Without_listing_the_groups_acked_or_read_through_the_storage_are_listed_and_no_others()
    {
        _admin.AddTopic("payments", 1);
        _admin.Commit("read", Topic, 1, 11);
        _admin.Commit("unseen", Topic, 0, 1);
        var storage = Storage(listGroups: false);
        await storage.UpdateAsync(Topic, new GroupId("acked", 3), 0, 30, CancellationToken.None);
        await storage.UpdateAsync("payments", new GroupId("acked", 1), 0, 10, CancellationToken.None);
        await storage.GetVersionsForAsync(Topic, new GroupId("read", 0), CancellationToken.None);

        var all = await storage.ListGroupsAsync(topic: null, CancellationToken.None);

        Assert.Equal([(Topic, "acked"), (Topic, "read"), ("payments", "acked")], all.Select(group => (group.Topic, group.GroupName)));
        Assert.Equal(new Dictionary<int, long> { [0] = 30 }, all[0].Versions[3]);
        Assert.Equal(new Dictionary<int, long> { [1] = 10 }, all[1].Versions[0]);
        Assert.DoesNotContain("ListGroups", _admin.Calls);
        Assert.DoesNotContain("OffsetFetch unseen", _admin.Calls);
    }

    [Fact]
    public async Task A_known_group_whose_offsets_were_deleted_is_no_longer_listed_nor_asked_for()
    {
        var storage = Storage(listGroups: false);
        await storage.UpdateAsync(Topic, new GroupId("gone", 0), 0, 5, CancellationToken.None);
        await storage.UpdateAsync(Topic, new GroupId("kept", 0), 0, 6, CancellationToken.None);
        Assert.Equal(2, (await storage.ListGroupsAsync(Topic, CancellationToken.None)).Count);

        _admin.Delete("gone");
        var afterDelete = await storage.ListGroupsAsync(Topic, CancellationToken.None);
        var fetchesBefore = _admin.Calls.Count(call => call == "OffsetFetch gone");
        var later = await storage.ListGroupsAsync(Topic, CancellationToken.None);

        Assert.Equal(["kept"], afterDelete.Select(group => group.GroupName));
        Assert.Equal(["kept"], later.Select(group => group.GroupName));
        Assert.Equal(fetchesBefore, _admin.Calls.Count(call => call == "OffsetFetch gone"));
    }

    [Fact]
    public async Task Group_versions_past_the_ones_the_storage_remembers_are_not_listed_and_the_cap_is_logged_once()
    {
        var logs = new CapturingLoggerProvider();
        var storage = new KafkaPositionsStorage(
            () => _admin,
            new KafkaPositionsOptions("double:9092") { MaxKnownGroups = 2 },
            logs.CreateLogger("kafka-positions"));
        foreach (var version in new uint[] { 1, 2, 3, 4 })
        {
            await storage.UpdateAsync(Topic, new GroupId("g", version), 0, version, CancellationToken.None);
        }

        await storage.UpdateAsync(Topic, new GroupId("g", 4), 0, 40, CancellationToken.None);
        var listed = Assert.Single(await storage.ListGroupsAsync(Topic, CancellationToken.None));

        Assert.Equal([1u, 2u], listed.Versions.Keys);
        var warning = Assert.Single(logs.Lines, line => line.Line.Contains("remembers 2 group versions already"));
        Assert.Contains("group 'g' version 3", warning.Line);
    }

    private KafkaPositionsStorage Storage(bool listGroups, string prefix = "") =>
        new(() => _admin, new KafkaPositionsOptions("double:9092") { ListGroups = listGroups, GroupIdPrefix = prefix });
}
