using Liiklus.Storage.Positions;
using Xunit;

namespace Liiklus.Tests.Storage;

/// <summary>What every positions storage must do; each implementation runs it by deriving from it.</summary>
public abstract class PositionsStorageContract
{
    private readonly Lazy<IPositionsStorage> _storage;

    protected PositionsStorageContract() => _storage = new Lazy<IPositionsStorage>(CreateStorage);

    protected IPositionsStorage Storage => _storage.Value;

    protected abstract IPositionsStorage CreateStorage();

    protected static string NewTopic() => $"topic-{Guid.NewGuid():N}";

    /// <summary>Whether the storage under test deletes; one that does not must refuse clearly and keep every position.</summary>
    protected virtual bool Deletes => true;

    /// <summary>The largest offset the storage keeps; Kafka, which commits the acked offset + 1, keeps one less.</summary>
    protected virtual long LargestOffset => long.MaxValue;

    [Fact]
    public async Task A_group_that_never_acked_has_no_positions()
    {
        Assert.Empty(await Storage.GetAsync(NewTopic(), new GroupId("g", 0), CancellationToken.None));
        Assert.Empty(await Storage.GetAllVersionsAsync(NewTopic(), "g", CancellationToken.None));
    }

    [Fact]
    public async Task Stored_positions_are_read_back_per_partition()
    {
        var topic = NewTopic();
        var group = new GroupId("g", 0);

        await Storage.UpdateAsync(topic, group, 0, 5, CancellationToken.None);
        await Storage.UpdateAsync(topic, group, 3, 0, CancellationToken.None);
        await Storage.UpdateAsync(topic, group, 31, LargestOffset, CancellationToken.None);

        Assert.Equal(
            new Dictionary<int, long> { [0] = 5, [3] = 0, [31] = LargestOffset },
            await Storage.GetAsync(topic, group, CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_version_removes_its_positions_only()
    {
        var topic = NewTopic();
        var otherTopic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("g", 1), 0, 10, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 1), 3, 13, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 2), 0, 20, CancellationToken.None);
        await Storage.UpdateAsync(otherTopic, new GroupId("g", 1), 0, 30, CancellationToken.None);
        if (!Deletes)
        {
            await Assert.ThrowsAsync<PositionsDeletionUnsupportedException>(() => Storage.DeleteAsync(topic, new GroupId("g", 1), CancellationToken.None));
            Assert.Equal(10, (await Storage.GetAsync(topic, new GroupId("g", 1), CancellationToken.None))[0]);
            return;
        }

        await Storage.DeleteAsync(topic, new GroupId("g", 1), CancellationToken.None);
        // A version without positions is left as it is.
        await Storage.DeleteAsync(topic, new GroupId("g", 7), CancellationToken.None);

        Assert.Empty(await Storage.GetAsync(topic, new GroupId("g", 1), CancellationToken.None));
        Assert.Equal(20, (await Storage.GetAsync(topic, new GroupId("g", 2), CancellationToken.None))[0]);
        Assert.Equal(30, (await Storage.GetAsync(otherTopic, new GroupId("g", 1), CancellationToken.None))[0]);
        var versions = await Storage.GetVersionsForAsync(topic, new GroupId("g", 2), CancellationToken.None);
        Assert.Equal([2u], versions.Where(v => v.Value.Count > 0).Select(v => v.Key));
    }

    [Fact]
    public async Task Last_write_wins_even_when_it_goes_backwards()
    {
        var topic = NewTopic();
        var group = new GroupId("g", 0);

        foreach (var offset in new long[] { 10, 200, 100 })
        {
            await Storage.UpdateAsync(topic, group, 1, offset, CancellationToken.None);
        }

        Assert.Equal(100, (await Storage.GetAsync(topic, group, CancellationToken.None))[1]);
    }

    [Fact]
    public async Task Each_version_keeps_its_own_positions()
    {
        var topic = NewTopic();

        await Storage.UpdateAsync(topic, new GroupId("g", 1), 0, 10, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 2), 0, 20, CancellationToken.None);

        Assert.Equal(10, (await Storage.GetAsync(topic, new GroupId("g", 1), CancellationToken.None))[0]);
        Assert.Equal(20, (await Storage.GetAsync(topic, new GroupId("g", 2), CancellationToken.None))[0]);
        Assert.Empty(await Storage.GetAsync(topic, new GroupId("g", 0), CancellationToken.None));
    }

    [Fact]
    public async Task All_versions_of_a_group_name_are_listed_and_other_names_are_not()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("g", 0), 0, 1, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 3), 2, 30, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 3), 5, 35, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("other", 1), 0, 99, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g-other", 1), 0, 98, CancellationToken.None);

        // As a Receive of version 3 reads them: a storage that cannot list versions reads at least up to it.
        var all = await Storage.GetVersionsForAsync(topic, new GroupId("g", 3), CancellationToken.None);

        Assert.Equal([0u, 3u], all.Keys.Order());
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, all[0]);
        Assert.Equal(new Dictionary<int, long> { [2] = 30, [5] = 35 }, all[3]);
    }

    [Fact]
    public async Task Listing_versions_ignores_names_that_only_start_with_the_name()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("g", 1), 0, 10, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g:x", 2), 0, 20, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g:5", 0), 0, 30, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("gg", 4), 0, 50, CancellationToken.None);

        var g = await Storage.GetVersionsForAsync(topic, new GroupId("g", 5), CancellationToken.None);
        var gx = await Storage.GetVersionsForAsync(topic, new GroupId("g:x", 5), CancellationToken.None);

        Assert.Equal([1u], g.Keys);
        Assert.Equal(10, g[1][0]);
        Assert.Equal([2u], gx.Keys);
        Assert.Equal(20, gx[2][0]);
        Assert.Empty(await Storage.GetAsync(topic, new GroupId("g", 5), CancellationToken.None));
    }

    [Fact]
    public async Task Glob_characters_in_topic_and_group_names_are_taken_literally()
    {
        var plain = NewTopic();
        var topic = plain + @"*?[a-z]\";
        string[] names = ["g*", "g?", "g[ab]", @"g\", "*", "ga", "gb"];
        for (var i = 0; i < names.Length; i++)
        {
            await Storage.UpdateAsync(topic, new GroupId(names[i], (uint)i + 1), 0, i, CancellationToken.None);
        }

        for (var i = 0; i < names.Length; i++)
        {
            var all = await Storage.GetVersionsForAsync(topic, new GroupId(names[i], (uint)names.Length), CancellationToken.None);
            Assert.Equal([(uint)i + 1], all.Keys);
            Assert.Equal(i, all[(uint)i + 1][0]);
        }

        Assert.Empty(await Storage.GetVersionsForAsync(plain + "*", new GroupId("g*", (uint)names.Length), CancellationToken.None));
    }

    [Fact]
    public async Task Groups_of_different_topics_do_not_see_each_other()
    {
        var first = NewTopic();
        var second = NewTopic();
        var group = new GroupId("g", 0);

        await Storage.UpdateAsync(first, group, 0, 7, CancellationToken.None);

        Assert.Empty(await Storage.GetAsync(second, group, CancellationToken.None));
        Assert.Empty(await Storage.GetAllVersionsAsync(second, "g", CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_updates_of_different_partitions_are_all_kept()
    {
        var topic = NewTopic();
        var group = new GroupId("g", 0);

        await Task.WhenAll(Enumerable.Range(0, 32).Select(p => Storage.UpdateAsync(topic, group, p, p * 10, CancellationToken.None)));

        var positions = await Storage.GetAsync(topic, group, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 32).ToDictionary(p => p, p => (long)p * 10), positions);
    }

    [Fact]
    public async Task Listing_a_topic_answers_each_group_name_with_the_positions_of_its_versions_and_the_latest()
    {
        var topic = NewTopic();
        await Storage.UpdateAsync(topic, new GroupId("g", 0), 0, 1, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 10), 2, 30, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 10), 5, 35, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g", 2), 0, 20, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("other", 1), 0, 99, CancellationToken.None);
        await Storage.UpdateAsync(topic, new GroupId("g:x", 3), 1, 7, CancellationToken.None);
        await Storage.UpdateAsync(NewTopic(), new GroupId("g", 11), 0, 1, CancellationToken.None);

        var groups = await Storage.ListGroupsAsync(topic, CancellationToken.None);

        Assert.Equal(["g", "g:x", "other"], groups.Select(group => group.GroupName));
        Assert.All(groups, group => Assert.Equal(topic, group.Topic));
        var g = groups[0];
        // In version order, and the highest by number, not by text.
        Assert.Equal([0u, 2u, 10u], g.Versions.Keys);
        Assert.Equal(10u, g.LatestVersion);
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, g.Versions[0]);
        Assert.Equal(new Dictionary<int, long> { [2] = 30, [5] = 35 }, g.Versions[10]);
        Assert.Equal((3u, 7L), (groups[1].LatestVersion, groups[1].Versions[3][1]));
        Assert.Equal((1u, 99L), (groups[2].LatestVersion, groups[2].Versions[1][0]));
    }

    [Fact]
    public async Task Listing_every_topic_answers_the_groups_of_each_ordered_by_topic()
    {
        var topics = new[] { NewTopic(), NewTopic() }.Order(StringComparer.Ordinal).ToArray();
        await Storage.UpdateAsync(topics[1], new GroupId("b", 0), 3, 30, CancellationToken.None);
        await Storage.UpdateAsync(topics[0], new GroupId("a", 2), 1, 10, CancellationToken.None);

        var groups = (await Storage.ListGroupsAsync(topic: null, CancellationToken.None)).Where(group => topics.Contains(group.Topic)).ToList();

        Assert.Equal([(topics[0], "a"), (topics[1], "b")], groups.Select(group => (group.Topic, group.GroupName)));
        Assert.Equal(new Dictionary<int, long> { [1] = 10 }, groups[0].Versions[2]);
        Assert.Equal(new Dictionary<int, long> { [3] = 30 }, groups[1].Versions[0]);
    }

    [Fact]
    public async Task A_topic_without_stored_groups_lists_none()
    {
        await Storage.UpdateAsync(NewTopic(), new GroupId("g", 0), 0, 1, CancellationToken.None);

        Assert.Empty(await Storage.ListGroupsAsync(NewTopic(), CancellationToken.None));
    }
}
