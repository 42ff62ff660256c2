namespace Liiklus.Bench;

public static class Interleaved
{
    /// <summary>
    /// Runs both sides in turns, unmeasured, for <paramref name="warmUp"/>, then measures them in turns and keeps each
    /// side's best, so neither profits from running later. The gateway's path is long: the JIT takes seconds of
    /// load to finish tiering it, while a baseline's few methods are optimised within one round.
    /// </summary>
    public static async Task<(double Baseline, double Gateway)> BestOfAsync(
        int rounds, TimeSpan warmUp, Func<Task<double>> baseline, Func<Task<double>> gateway)
    {
        await WarmUpAsync(warmUp, baseline, gateway);
        var best = (Baseline: 0.0, Gateway: 0.0);
        for (var round = 0; round < rounds; round++)
        {
            best.Baseline = Math.Max(best.Baseline, await baseline());
            best.Gateway = Math.Max(best.Gateway, await gateway());
        }

        return best;
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
