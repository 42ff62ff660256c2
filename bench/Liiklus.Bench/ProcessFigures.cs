using System.Globalization;

namespace Liiklus.Bench;

/// <summary>Another process's resident memory and thread count, as the kernel reports them in /proc.</summary>
public static class ProcessFigures
{
    public static (double RssMb, int Threads) Of(int processId)
    {
        double rssKb = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rssKb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.Split('\t', ' ').Last(part => part.Length > 0), CultureInfo.InvariantCulture);
            }
        }

        return (rssKb / 1024, threads);
    }
}
