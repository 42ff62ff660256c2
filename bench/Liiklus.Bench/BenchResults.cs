using System.Text.Json;

namespace Liiklus.Bench;

/// <summary>Ratios printed one a line (<c>ratio name value</c>); every absolute figure kept for the JSON file.</summary>
public sealed class BenchResults
{
    private readonly Dictionary<string, double> _ratios = [];
    private readonly Dictionary<string, double> _figures = [];
    private readonly Dictionary<string, IReadOnlyList<string>> _skipped = [];
    private readonly Dictionary<string, string> _failed = [];

    /// <summary>A benchmark not run, and why (its missing prerequisites).</summary>
    public void Skipped(string benchmark, IReadOnlyList<string> missing) => _skipped[benchmark] = missing;

    /// <summary>A benchmark that threw: its figures so far are kept, and the failure is written beside them.</summary>
    public void Failed(string benchmark, string reason) => _failed[benchmark] = reason;

    public void Figure(string name, double value)
    {
        _figures[name] = value;
        Console.Error.WriteLine($"  {name} = {value:0.###}");
    }

    public void Ratio(string name, double value)
    {
        _ratios[name] = value;
        Console.WriteLine($"ratio {name} {value:0.###}");
    }

    public async Task WriteAsync(string path, Workload workload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            at = DateTime.UtcNow,
            quick = workload.Quick,
            machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString() },
            workload,
            ratios = _ratios,
            figures = _figures,
            skipped = _skipped,
            failed = _failed,
        }, new JsonSerializerOptions { WriteIndented = true }));
        Console.Error.WriteLine($"figures written to {path}");
    }
}
