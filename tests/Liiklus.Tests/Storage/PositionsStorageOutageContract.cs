using System.Diagnostics;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Storage;

/// <summary>
/// What every positions storage does while its store is down or does not answer: every call answers within its
/// deadline, and the same storage serves again once the store is back. Each storage's outage specs run it by
/// deriving from it; they take their store down, so it is theirs alone.
/// </summary>
public abstract class PositionsStorageOutageContract : IAsyncLifetime
{
    protected static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    // Generous beside the command timeout, far below the 20 s a hung call would take to fail the test otherwise.
    protected static readonly TimeSpan AnswerWithin = CommandTimeout + TimeSpan.FromSeconds(2);

    protected static readonly GroupId Group = new("g", 0);

    private readonly List<object> _owned = [];

    /// <summary>How the storage names itself in its errors, e.g. "Redis positions storage at 127.0.0.1:6379".</summary>
    protected abstract string StoreName { get; }

    /// <summary>A new storage on the store whose every call answers within <paramref name="commandTimeout"/>.</summary>
    /// <remarks>What it needs beside itself (a connection, a listener) goes through <see cref="Owned{T}"/>.</remarks>
    protected abstract IPositionsStorage CreateStorage(TimeSpan commandTimeout);

    protected abstract Task TakeStoreDownAsync();

    protected abstract Task BringStoreBackAsync();

    /// <summary>
    /// A storage with <paramref name="commandTimeout"/> whose store takes its calls and does not answer them before
    /// the test ends.
    /// </summary>
    protected abstract Task<IPositionsStorage> StorageWithoutAnswersAsync(TimeSpan commandTimeout);

    /// <summary>A topic the store can hold positions of.</summary>
    protected virtual string NewTopic() => $"topic-{Guid.NewGuid():N}";

    /// <summary>The call that reads every version of <see cref="Group"/>'s name, as this storage is read for it.</summary>
    protected virtual Task ReadEveryVersionAsync(IPositionsStorage storage, string topic) =>
        storage.GetAllVersionsAsync(topic, Group.Name, CancellationToken.None);

    /// <summary>A call of <see cref="StorageWithoutAnswersAsync"/>'s storage that waits for the store.</summary>
    protected virtual Task CallThatWaitsAsync(IPositionsStorage storage, string topic, CancellationToken cancellationToken) =>
        storage.GetAsync(topic, Group, cancellationToken);

    /// <summary>After the cancelled call: what this storage promises of the storage it was cancelled on.</summary>
    protected virtual Task AfterTheCancelledCallAsync(IPositionsStorage storage, string topic) => Task.CompletedTask;

    /// <summary>
    /// <see cref="Group"/>'s positions as read by a storage created while the store was down, once it has served an
    /// ack; a storage whose reads need more than its acks to come back waits for them here.
    /// </summary>
    protected virtual Task<IReadOnlyDictionary<int, long>> PositionsOnceServingAsync(IPositionsStorage storage, string topic) =>
        storage.GetAsync(topic, Group, CancellationToken.None);

    /// <summary>Checks with the store's own client, where the tests have one, that partition 0 holds <paramref name="offset"/>.</summary>
    protected virtual Task AssertStoredAsync(string topic, long offset) => Task.CompletedTask;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        // Last made, first disposed, as `await using` would: a lock's transaction ends before the storage it blocked.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    [Fact]
    public async Task Calls_answer_unavailable_while_the_store_is_down_and_the_same_storage_serves_when_it_is_back()
    {
        var topic = NewTopic();
        var storage = NewStorage();
        // A store that sets itself up on first use (DynamoDB's table) may take longer than the short command
        // timeout on a busy machine: the outage starts once it serves.
        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None)),
            stored => stored,
            "the first update");

        await TakeStoreDownAsync();

        var update = await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 2, CancellationToken.None));
        var get = await Unavailable(() => storage.GetAsync(topic, Group, CancellationToken.None));
        var all = await Unavailable(() => ReadEveryVersionAsync(storage, topic));
        Assert.Contains(StoreName, update.Message);
        Assert.Contains($"store offset 2 of topic '{topic}', group 'g' version 0, partition 0", update.Message);
        Assert.Contains("read the positions", get.Message);
        Assert.Contains("every version", all.Message);

        await BringStoreBackAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, Group, 0, 3, CancellationToken.None)),
            succeeded => succeeded,
            "an ack on the same storage once the store is back");
        Assert.Equal(new Dictionary<int, long> { [0] = 3 }, await storage.GetAsync(topic, Group, CancellationToken.None));
        await AssertStoredAsync(topic, 3);
    }

    [Fact]
    public async Task A_call_ends_when_the_callers_token_is_cancelled_even_before_the_command_timeout()
    {
        var topic = NewTopic();
        var patient = await StorageWithoutAnswersAsync(TimeSpan.FromMinutes(1));
        using var callerDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CallThatWaitsAsync(patient, topic, callerDeadline.Token));

        Assert.True(clock.Elapsed < AnswerWithin, $"the cancelled call took {clock.Elapsed}");
        await AfterTheCancelledCallAsync(patient, topic);
    }

    [Fact]
    public async Task A_storage_created_while_the_store_is_down_serves_once_it_is_back()
    {
        var topic = NewTopic();
        await TakeStoreDownAsync();

        var storage = NewStorage();
        await Unavailable(() => storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None));
        await BringStoreBackAsync();

        await Eventually.Until(
            () => StorageCalls.Succeeds(() => storage.UpdateAsync(topic, Group, 0, 1, CancellationToken.None)),
            succeeded => succeeded,
            "an ack once the store is up");
        Assert.Equal(new Dictionary<int, long> { [0] = 1 }, await PositionsOnceServingAsync(storage, topic));
        await AssertStoredAsync(topic, 1);
    }

    /// <summary>A storage with <paramref name="commandTimeout"/> (<see cref="CommandTimeout"/> if none), disposed after the test.</summary>
    protected IPositionsStorage NewStorage(TimeSpan? commandTimeout = null) => Owned(CreateStorage(commandTimeout ?? CommandTimeout));

    /// <summary>Disposes <paramref name="resource"/> after the test, if it is disposable.</summary>
    protected T Owned<T>(T resource)
        where T : notnull
    {
        _owned.Add(resource);
        return resource;
    }

    /// <summary>The call fails with <see cref="StorageUnavailableException"/> well within <see cref="AnswerWithin"/>.</summary>
    protected static async Task<StorageUnavailableException> Unavailable(Func<Task> call)
    {
        var clock = Stopwatch.StartNew();
        var unavailable = await Assert.ThrowsAsync<StorageUnavailableException>(call);
        Assert.True(clock.Elapsed < AnswerWithin, $"the call answered unavailable after {clock.Elapsed}");
        return unavailable;
    }
}
