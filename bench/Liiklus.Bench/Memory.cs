using System.Diagnostics;

namespace Liiklus.Bench;

/// <summary>Resident set size of this process, and its peak while something runs.</summary>
public static class Memory
{
    public static double RssMb()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024.0 * 1024.0);
    }

    public static double SettledRssMb()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return RssMb();
    }

    public static async Task<(T Result, double PeakRssMb)> PeakDuring<T>(Func<Task<T>> work)
    {
        using var stop = new CancellationTokenSource();
        var peak = RssMb();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssMb());
                await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            }
        });
        var result = await work();
        stop.Cancel();
        await sampler;
        return (result, Math.Max(peak, RssMb()));
    }
}
