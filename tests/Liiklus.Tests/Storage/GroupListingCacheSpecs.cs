using Liiklus.Storage.Positions;
using Xunit;

namespace Liiklus.Tests.Storage;

public sealed class GroupListingCacheSpecs
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private readonly ManualTime _time = new();
    private readonly GroupListingCache _cache;
    private int _scans;

    public GroupListingCacheSpecs() => _cache = new GroupListingCache(MaxAge, _time);

    [Fact]
    public async Task Calls_during_a_scan_and_within_the_max_age_of_its_start_share_it_and_later_ones_scan_anew()
    {
        var first = new TaskCompletionSource<IReadOnlyList<StoredGroup>>();
        var during = _cache.GetAsync(() => Scan(first.Task), CancellationToken.None);
        var alsoDuring = _cache.GetAsync(() => Scan(first.Task), CancellationToken.None);
        first.SetResult([Group("a")]);
        _time.Advance(MaxAge);
        var within = await _cache.GetAsync(() => Scan(Task.FromResult<IReadOnlyList<StoredGroup>>([Group("b")])), CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await _cache.GetAsync(() => Scan(Task.FromResult<IReadOnlyList<StoredGroup>>([Group("c")])), CancellationToken.None);

        Assert.Equal("a", (await during).Single().GroupName);
        Assert.Equal("a", (await alsoDuring).Single().GroupName);
        Assert.Equal("a", within.Single().GroupName);
        Assert.Equal("c", after.Single().GroupName);
        Assert.Equal(2, _scans);
    }

    [Fact]
    public async Task A_failed_scan_is_not_kept()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _cache.GetAsync(() => Scan(Task.FromException<IReadOnlyList<StoredGroup>>(new InvalidOperationException("down"))), CancellationToken.None));

        var next = await _cache.GetAsync(() => Scan(Task.FromResult<IReadOnlyList<StoredGroup>>([Group("a")])), CancellationToken.None);

        Assert.Equal("a", next.Single().GroupName);
        Assert.Equal(2, _scans);
    }

    [Fact]
    public async Task A_caller_that_gives_up_ends_its_own_wait_and_not_the_scan()
    {
        var scan = new TaskCompletionSource<IReadOnlyList<StoredGroup>>();
        using var givingUp = new CancellationTokenSource();
        var impatient = _cache.GetAsync(() => Scan(scan.Task), givingUp.Token);
        var patient = _cache.GetAsync(() => Scan(scan.Task), CancellationToken.None);

        await givingUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        scan.SetResult([Group("a")]);

        Assert.Equal("a", (await patient).Single().GroupName);
        Assert.Equal(1, _scans);
    }

    [Fact]
    public async Task Forgetting_the_listing_makes_the_next_call_scan()
    {
        await _cache.GetAsync(() => Scan(Task.FromResult<IReadOnlyList<StoredGroup>>([Group("a")])), CancellationToken.None);

        _cache.Forget();
        var next = await _cache.GetAsync(() => Scan(Task.FromResult<IReadOnlyList<StoredGroup>>([Group("b")])), CancellationToken.None);

        Assert.Equal("b", next.Single().GroupName);
    }

    private Task<IReadOnlyList<StoredGroup>> Scan(Task<IReadOnlyList<StoredGroup>> result)
    {
        Interlocked.Increment(ref _scans);
        return result;
    }

    private static StoredGroup Group(string name) =>
        new("topic", name, new Dictionary<uint, IReadOnlyDictionary<int, long>> { [0] = new Dictionary<int, long> { [0] = 1 } });

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
