namespace Liiklus.Bench;

/// <summary>
/// Sizes of one run: <c>--quick</c> keeps the whole run to a few minutes for CI. In a full run the throughput benchmarks
/// (receive, receive_kafka, slow_consumer) first load every side for <see cref="WarmUp"/> unmeasured, so their figures
/// are those of a gateway that has been running; publish and latency warm up with a short unmeasured run of their own.
/// </summary>
public sealed record Workload(
    bool Quick,
    int ReceiveRecords,
    int PublishCallers,
    TimeSpan PublishDuration,
    int LatencySamples,
    int SlowConsumerRecords,
    int FanOutGroups,
    int FanOutManyGroups,
    int FanOutRecordsPerStream,
    int FanOutOneStreamRecords,
    int FanOutGroupsOfOneTopic,
    int FanOutGroupsRecords,
    int Rounds,
    TimeSpan WarmUp,
    int AcksPerRun,
    int ReplayGroups,
    int ReplayConnections,
    int ReplayRecords,
    int ClientConsumeRecords,
    int ColdStarts,
    TimeSpan ColdStartWarmUp)
{
    public const int RecordSize = 100;

    public static Workload For(bool quick) => quick
        ? new Workload(true, 50_000, 64, TimeSpan.FromSeconds(2), 500, 100_000, 8, FanOutManyGroups: 0, 20, 5_000, 20, 2_000, Rounds: 2, WarmUp: TimeSpan.Zero, AcksPerRun: 2_000,
            ReplayGroups: 30, ReplayConnections: 10, ReplayRecords: 147, ClientConsumeRecords: 64_000,
            ColdStarts: 1, ColdStartWarmUp: TimeSpan.FromSeconds(10))
        // 313 groups × 32 partitions: 10,016 streams; then 1,563 groups: 50,016 streams, idle.
        : new Workload(false, 500_000, 64, TimeSpan.FromSeconds(10), 5_000, 1_000_000, 313, FanOutManyGroups: 1_563, 100, 20_000, 100, 20_000, Rounds: 5, WarmUp: TimeSpan.FromSeconds(15), AcksPerRun: 20_000,
            ReplayGroups: 300, ReplayConnections: 100, ReplayRecords: 147, ClientConsumeRecords: 320_000,
            ColdStarts: 3, ColdStartWarmUp: TimeSpan.FromSeconds(20));
}
