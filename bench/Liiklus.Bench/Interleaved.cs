namespace Liiklus.Bench;

public static class Interleaved
{
    /// <summary>
    /// Runs every side in turns, unmeasured, for <paramref name="warmUp"/>, then measures them in turns for
    /// <paramref name="rounds"/> rounds, so none profits from running later. The gateway's path is long: the JIT takes
    /// seconds of load to finish tiering it, while a baseline's few methods are optimised within one round.
    /// </summary>
    public static async Task MeasureAsync(int rounds, TimeSpan warmUp, params MeasuredSide[] sides)
    {
        await WarmUpAsync(warmUp, sides.Select(side => (Func<Task<double>>)side.WarmUpAsync).ToArray());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var side in sides)
            {
                await side.MeasureAsync();
            }
        }
    }

    public static async Task WarmUpAsync(TimeSpan warmUp, params Func<Task<double>>[] sides)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < warmUp)
        {
            foreach (var side in sides)
            {
                await side();
            }
        }
    }
}
