using System.Diagnostics;

namespace Liiklus.Bench;

/// <summary>
/// One side of a comparison that moves a fixed number of records per run: its best rate, and the whole process's
/// CPU time per record over its measured runs (what the side costs, whichever threads pay for it).
/// </summary>
public sealed class MeasuredSide(long recordsPerRun, Func<Task<double>> run)
{
    private TimeSpan _cpu;
    private long _records;

    public double BestRate { get; private set; }

    public double CpuMicrosPerRecord => _records == 0 ? 0 : _cpu.TotalMicroseconds / _records;

    public Task<double> WarmUpAsync() => run();

    public async Task<double> MeasureAsync()
    {
        var before = ProcessorTime();
        var rate = await run();
        _cpu += ProcessorTime() - before;
        _records += recordsPerRun;
        BestRate = Math.Max(BestRate, rate);
        return rate;
    }

    private static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
