namespace Liiklus.Bench;

public static class Interleaved
{
    /// <summary>
    /// Measures the baseline and the gateway in turns and keeps each side's best, so neither profits from running
    /// later (tiered JIT, warm caches, a consumer's first fetch).
    /// </summary>
    public static async Task<(double Baseline, double Gateway)> BestOfAsync(int rounds, Func<Task<double>> baseline, Func<Task<double>> gateway)
    {
        var best = (Baseline: 0.0, Gateway: 0.0);
        for (var round = 0; round < rounds; round++)
        {
            best.Baseline = Math.Max(best.Baseline, await baseline());
            best.Gateway = Math.Max(best.Gateway, await gateway());
        }

        return best;
    }
}
