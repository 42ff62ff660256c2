using System.Diagnostics;

namespace Liiklus.Bench;

/// <summary>
/// One side of a comparison that moves a fixed number of records per run: its best rate, and the whole process's
/// CPU time per record over its measured runs (what the side costs, whichever threads pay for it). Each measured
/// run starts after a moment for the previous run's streams and consumers to wind down, so their teardown is not
/// charged to the next side. Garbage is not collected in between: a forced full collection resets the collector's
/// budgets, which would change the run measured after it. What a side leaves in generation 0 may be collected in
/// the next side's window, so the CPU figures are good to about one young collection per run.
/// </summary>
public sealed class MeasuredSide(long recordsPerRun, Func<Task<double>> run)
{
    private static readonly TimeSpan WindDown = TimeSpan.FromMilliseconds(200);
    private readonly List<double> _rates = [];
    private TimeSpan _cpu;
    private TimeSpan _wall;
    private long _allocated;
    private long _records;

    public double BestRate { get; private set; }

    /// <summary>Every measured run's rate, in the order they ran.</summary>
    public IReadOnlyList<double> Rates => _rates;

    public double CpuMicrosPerRecord => _records == 0 ? 0 : _cpu.TotalMicroseconds / _records;

    /// <summary>
    /// The process's CPU time over the wall time of the measured runs: near the machine's cores when a side is bound by
    /// CPU, well below when it waits (for a fetch, a timer, a hand-off).
    /// </summary>
    public double CoresBusy => _wall == TimeSpan.Zero ? 0 : _cpu / _wall;

    /// <summary>
    /// Bytes the process's managed code allocated per record over the measured runs (every thread's): unlike CPU time,
    /// the same however busy the machine is, so it shows a path's per-record garbage even on a loaded machine.
    /// </summary>
    public double AllocatedBytesPerRecord => _records == 0 ? 0 : (double)_allocated / _records;

    public Task<double> WarmUpAsync() => run();

    public async Task<double> MeasureAsync()
    {
        await Task.Delay(WindDown);
        var before = ProcessorTime();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var rate = await run();
        _wall += clock.Elapsed;
        _cpu += ProcessorTime() - before;
        _allocated += GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        _records += recordsPerRun;
        BestRate = Math.Max(BestRate, rate);
        _rates.Add(rate);
        return rate;
    }

    private static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
