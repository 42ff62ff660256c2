using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Liiklus.Actors.Groups;
using Liiklus.Actors.Receiving;
using Liiklus.Actors.Sessions;
using Liiklus.Storage;
using Liiklus.Storage.Positions;
using Liiklus.Storage.Positions.Memory;
using Liiklus.Storage.Records;
using Liiklus.Storage.Records.Kafka;
using Liiklus.Storage.Records.Memory;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Actors;

public sealed class PartitionStreamActorSpecs : TestKit, IClassFixture<MockKafkaCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly InMemoryRecordsStorage _records = new(new InMemoryRecordsOptions(PartitionsPerTopic: 1));
    private readonly InMemoryPositionsStorage _positions = new();
    private readonly TestProbe _groups;
    private readonly SessionToken _session = SessionToken.New("topic", new GroupId("group", 2), OffsetReset.Earliest);
    private readonly Channel<ReceivedBatch> _received = Channel.CreateBounded<ReceivedBatch>(2);

    private readonly MockKafkaCluster _kafka;

    public PartitionStreamActorSpecs(MockKafkaCluster kafka) : base(WireCheckedConfig.Config)
    {
        _kafka = kafka;
        _groups = CreateTestProbe();
    }

    [Fact]
    public async Task Claimed_partition_streams_from_after_the_group_versions_last_ack()
    {
        await Publish(5);
        await _positions.UpdateAsync("topic", _session.Group, 0, 2, CancellationToken.None);
        StartStream();

        Claim();

        Assert.Equal([3L, 4L], await Read(2));
    }

    [Fact]
    public async Task Revoked_partition_completes_its_receive_stream()
    {
        await Publish(1);
        StartStream();
        var (_, stream) = Claim();
        await Read(1);

        stream.Tell(new ClaimRevoked(_session.Encode(), 0));

        await _received.Reader.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Coordinator_end_completes_the_receive_stream()
    {
        StartStream();
        var (coordinator, _) = Claim();

        Sys.Stop(coordinator.Ref);

        await _received.Reader.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Unknown_session_fails_the_stream_with_session_not_found()
    {
        StartStream();
        _groups.ExpectMsg<ClaimPartition>();

        _groups.Reply(new SessionUnknown(_session.Encode()));

        await Assert.ThrowsAsync<SessionNotFoundException>(() => _received.Reader.Completion.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Unreadable_positions_fail_the_stream_as_unavailable()
    {
        StartStream(new UnreachablePositions());

        Claim();

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => _received.Reader.Completion.WaitAsync(Deadline));
        Assert.Contains("group", error.Message);
        Assert.Equal(StorageUnavailableException.PositionsSummary, error.Summary);
    }

    [Fact]
    public async Task Silent_coordinator_fails_the_stream_as_unavailable_after_the_claim_timeout()
    {
        StartStream(claimTimeout: TimeSpan.FromMilliseconds(300));

        _groups.ExpectMsg<ClaimPartition>();

        // The cluster failed the claim, not a storage.
        var error = await Assert.ThrowsAsync<CoordinatorUnavailableException>(() => _received.Reader.Completion.WaitAsync(Deadline));
        Assert.Contains("did not answer within", error.Message);
    }

    [Fact]
    public async Task Stream_that_throws_ends_its_call_with_the_failure_and_is_stopped_never_restarted()
    {
        var settings = new ReceiveSettings(Deadline, 64 * 1024);
        var supervisor = Sys.ActorOf(ReceiveStreamSupervisor.Props(_groups.Ref, _records, new PositionsThatThrow(), Sys.Materializer(), settings));
        var allowance = new StreamByteAllowance(64 * 1024, ByteBudget.Unbounded());
        supervisor.Tell(new ReceiveStreamSupervisor.StartStream("stream", _session, _session.Encode(), 0, _received.Writer, allowance, new DeliveryWatermark()));
        var (_, stream) = Claim();
        Watch(stream);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => _received.Reader.Completion.WaitAsync(Deadline));
        Assert.Equal(PositionsThatThrow.Failure, failure.Message);
        // A restarted actor keeps its reference and is never terminated: Terminated proves it was stopped.
        ExpectTerminated(stream);
        var identity = await Sys.ActorSelection(stream.Path).Ask<ActorIdentity>(new Identify("stream"), Deadline);
        Assert.Null(identity.Subject);
    }

    [Fact]
    public async Task Idle_stream_holds_no_running_graph_and_a_record_published_later_still_arrives()
    {
        // A storage that reads only through graphs: the stream's graph must come to rest.
        var records = new OpenSourcesStorage(_records, readsInMemory: false);
        await Publish(1);
        StartStream(records: records, restAfter: TimeSpan.FromMilliseconds(50));
        Claim();
        Assert.Equal([0L], await Read(1));

        await Eventually.Until(() => Task.FromResult(records.Open), open => open == 0, "the idle stream's graph ended", Deadline);
        await Publish(2);

        Assert.Equal([1L, 2L], await Read(2));
    }

    [Fact]
    public async Task Records_the_storage_holds_in_memory_reach_the_call_without_a_graph_in_order()
    {
        var records = new OpenSourcesStorage(_records);
        await Publish(2);
        StartStream(records: records);
        Claim();
        Assert.Equal([0L, 1L], await Read(2));

        await Publish(3);

        Assert.Equal([2L, 3L, 4L], await Read(3));
        Assert.Equal(0, records.Started);
    }

    [Fact]
    public async Task Revoked_partition_completes_a_stream_at_rest()
    {
        var records = new OpenSourcesStorage(_records, readsInMemory: false);
        await Publish(1);
        StartStream(records: records, restAfter: TimeSpan.FromMilliseconds(50));
        var (_, stream) = Claim();
        await Read(1);
        await Eventually.Until(() => Task.FromResult(records.Open), open => open == 0, "the idle stream's graph ended", Deadline);

        stream.Tell(new ClaimRevoked(_session.Encode(), 0));

        await _received.Reader.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public void A_stream_gets_the_compact_mailbox_whose_empty_queue_holds_no_buffer()
    {
        StartStream();
        var stream = _groups.ExpectMsg<ClaimPartition>().Stream;

        var queue = ((ActorCell)((ActorRefWithCell)stream).Underlying).Mailbox!.MessageQueue;

        Assert.IsType<CompactMessageQueue>(queue);
    }

    [Fact]
    public async Task A_new_kafka_group_at_earliest_whose_records_are_in_the_shared_tail_starts_with_no_graph()
    {
        using var kafka = new KafkaRecordsStorage(_kafka.StorageOptions(), Sys.Materializer());
        var topic = _kafka.NewTopic(1);
        // An earlier group reading the partition from its start runs its shared tail, which holds every record since.
        var earlier = kafka.PartitionSource(topic, 0, StartPosition.Earliest).Records().PullOnDemand(Sys.Materializer());
        await PublishTo(kafka, topic, 2);
        Assert.Equal([0L, 1L], (await earlier.PullAsync(2, Deadline)).Select(r => r.Offset));
        var records = new OpenSourcesStorage(kafka);
        var session = SessionToken.New(topic, new GroupId("new-group", 1), OffsetReset.Earliest);

        StartStream(records: records, session: session);
        Claim();

        Assert.Equal([0L, 1L], await Read(2));
        await PublishTo(kafka, topic, 1);
        Assert.Equal([2L], await Read(1));
        Assert.Equal(0, records.Started);
        earlier.KillSwitch.Shutdown();
    }

    private void StartStream(
        IPositionsStorage? positions = null,
        TimeSpan? claimTimeout = null,
        IRecordsStorage? records = null,
        TimeSpan? restAfter = null,
        SessionToken? session = null)
    {
        var dependencies = new ReceiveDependencies(
            _groups.Ref,
            records ?? _records,
            positions ?? _positions,
            Sys.Materializer(),
            new ReceiveSettings(claimTimeout ?? Deadline, 64 * 1024, restAfter));
        var allowance = new StreamByteAllowance(64 * 1024, ByteBudget.Unbounded());
        var token = session ?? _session;
        Sys.ActorOf(PartitionStreamActor.Props(token, token.Encode(), 0, dependencies, _received.Writer, allowance, new DeliveryWatermark()));
    }

    /// <summary>Answers the stream's claim as its coordinator; the probe stands for that coordinator.</summary>
    private (TestProbe Coordinator, IActorRef Stream) Claim()
    {
        var claim = _groups.ExpectMsg<ClaimPartition>();
        var coordinator = CreateTestProbe();
        claim.Stream.Tell(new PartitionClaimed(claim.SessionId, claim.Partition), coordinator.Ref);
        return (coordinator, claim.Stream);
    }

    private async Task Publish(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _records.PublishAsync("topic", new OutgoingRecord(null, Encoding.UTF8.GetBytes($"v{i}"), [], DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }

    private static async Task PublishTo(IRecordsStorage records, string topic, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await records.PublishAsync(topic, new OutgoingRecord(null, Encoding.UTF8.GetBytes($"v{i}"), [], DateTimeOffset.UtcNow), CancellationToken.None);
        }
    }

    private async Task<List<long>> Read(int count)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var offsets = new List<long>();
        while (offsets.Count < count)
        {
            offsets.AddRange((await _received.Reader.ReadAsync(timeout.Token)).Records.Select(r => r.Record.Offset));
        }

        return offsets;
    }

    /// <summary>A real records storage that counts its partition sources still running.</summary>
    /// <param name="readsInMemory">whether it offers the inner storage's reads at its tail, which need no graph</param>
    private sealed class OpenSourcesStorage(IRecordsStorage inner, bool readsInMemory = true) : ForwardingRecordsStorage(inner)
    {
        private int _open;
        private int _started;

        public int Open => Volatile.Read(ref _open);

        public int Started => Volatile.Read(ref _started);

        public override Source<IReadOnlyList<StoredRecord>, NotUsed> PartitionSource(string topic, int partition, StartPosition start)
        {
            Interlocked.Increment(ref _open);
            Interlocked.Increment(ref _started);
            return Inner.PartitionSource(topic, partition, start).WatchTermination((_, ended) =>
            {
                ended.ContinueWith(_ => Interlocked.Decrement(ref _open), TaskScheduler.Default);
                return NotUsed.Instance;
            });
        }

        public override IDisposable? WakeOnAppend(string topic, int partition, long offset, Action wake) =>
            Inner.WakeOnAppend(topic, partition, offset, wake);

        public override IReadOnlyList<StoredRecord>? ReadAtTail(string topic, int partition, long offset, int maxRecords) =>
            readsInMemory ? Inner.ReadAtTail(topic, partition, offset, maxRecords) : null;

        public override long? RestingOffset(string topic, int partition, StartPosition start) =>
            readsInMemory ? Inner.RestingOffset(topic, partition, start) : null;
    }

    /// <summary>A broken storage: it throws where it should return a failed task.</summary>
    private sealed class PositionsThatThrow : IPositionsStorage
    {
        public const string Failure = "a positions storage with a bug";

        public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);

        public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);

        public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);

        public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(string topic, string groupName, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);

        public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(string topic, GroupId reader, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);

        public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(Failure);
    }

    private sealed class UnreachablePositions : IPositionsStorage
    {
        public Task UpdateAsync(string topic, GroupId group, int partition, long offset, CancellationToken cancellationToken) =>
            throw StorageUnavailableException.Positions("positions storage unreachable");

        public Task DeleteAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
            throw StorageUnavailableException.Positions("positions storage unreachable");

        public Task<IReadOnlyDictionary<int, long>> GetAsync(string topic, GroupId group, CancellationToken cancellationToken) =>
            throw StorageUnavailableException.Positions("positions storage unreachable");

        public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetAllVersionsAsync(string topic, string groupName, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>>(StorageUnavailableException.Positions("positions storage unreachable"));

        public Task<IReadOnlyDictionary<uint, IReadOnlyDictionary<int, long>>> GetVersionsForAsync(string topic, GroupId reader, CancellationToken cancellationToken) =>
            GetAllVersionsAsync(topic, reader.Name, cancellationToken);

        public Task<IReadOnlyList<StoredGroup>> ListGroupsAsync(string? topic, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyList<StoredGroup>>(StorageUnavailableException.Positions("positions storage unreachable"));
    }
}
